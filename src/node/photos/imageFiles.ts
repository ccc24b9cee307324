/** Which files are photos, how big a photo may be, and what to tell the user when one cannot be read. */

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);

/** Whether a file is a photo by its name (its extension). */
export function isPhotoName(file: string): boolean {
  const dot = file.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.has(file.slice(dot).toLowerCase());
}
/** Refuse to decode images larger than this (decompression bombs); 100 megapixels covers real cameras. */
export const MAX_PIXELS = 100_000_000;

/** A JPEG or PNG whose end marker is missing: the file was cut short. */
function endsEarly(bytes: Buffer): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (jpeg) return !(bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9);
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return png && !bytes.subarray(-12).includes(Buffer.from('IEND'));
}

/**
 * Why a photo could not be decoded, in words. libvips sometimes loses its message when several
 * photos decode at once ("Unknown error"); the file's bytes then still tell a cut-short file.
 */
export function describeDecodeError(error: unknown, bytes?: Buffer): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return `image too large to decode safely (over ${MAX_PIXELS / 1e6} megapixels)`;
  if (/unsupported image format/i.test(message)) return 'not a readable image (unsupported or damaged format)';
  if (/premature end|truncated|unexpected end/i.test(message)) return 'truncated or damaged image data';
  if (bytes && endsEarly(bytes)) return 'truncated or damaged image data';
  if (/unknown error/i.test(message)) return 'damaged image data (the decoder gave no reason)';
  return `cannot decode: ${message.split('\n')[0]}`;
}
