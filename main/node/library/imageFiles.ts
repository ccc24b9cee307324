/** Which files are photos, how big a photo may be, and what to tell the user when one cannot be read. */

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);
/** Refuse to decode images larger than this (decompression bombs); 100 megapixels covers real cameras. */
export const MAX_PIXELS = 100_000_000;

export function describeDecodeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return `image too large to decode safely (over ${MAX_PIXELS / 1e6} megapixels)`;
  if (/unsupported image format/i.test(message)) return 'not a readable image (unsupported or damaged format)';
  if (/premature end|truncated|unexpected end/i.test(message)) return 'truncated or damaged image data';
  return `cannot decode: ${message.split('\n')[0]}`;
}
