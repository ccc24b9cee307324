/**
 * A photo's size, format and EXIF orientation read from the first bytes of a JPEG or a PNG, in
 * JavaScript. Asking the decoder for them costs a whole libvips call (0.2–0.5 ms, as much as the
 * photo's SHA-256), and an import asks for every photo; these two formats are nearly all photos.
 * Anything unusual — another format, a PNG with EXIF, a damaged or odd header — gives null, and
 * the decoder is asked as before. Every read is checked against the buffer's length.
 */
export interface PhotoHeader {
  format: 'jpeg' | 'png';
  /** As stored, before the orientation is applied. */
  width: number;
  height: number;
  /** EXIF orientation, 1–8 (1 when there is none). */
  orientation: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function photoHeader(bytes: Uint8Array): PhotoHeader | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegHeader(bytes);
  if (PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return pngHeader(bytes);
  return null;
}

const u16be = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
const u32be = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** Start-of-frame markers (baseline, progressive, lossless…): C0–CF but for C4 (DHT), C8 (JPG) and CC (DAC). */
function startsFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(b: Uint8Array): PhotoHeader | null {
  let orientation: number | null = null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1];
    // Fill bytes, and markers without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // The image data (SOS) or its end before any frame header: nothing to trust here.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = u16be(b, at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > b.length) return null;
    const body = at + 4;
    if (marker === 0xe1 && orientation === null && isExif(b, body, end)) orientation = exifOrientation(b.subarray(body + 6, end));
    if (startsFrame(marker)) {
      if (length < 7) return null;
      const height = u16be(b, body + 1);
      const width = u16be(b, body + 3);
      // A height of 0 is given later in the data (DNL): let the decoder say.
      return width > 0 && height > 0 ? { format: 'jpeg', width, height, orientation: orientation ?? 1 } : null;
    }
    at = end;
  }
  return null;
}

function isExif(b: Uint8Array, from: number, end: number): boolean {
  return end - from >= 14 && b[from] === 0x45 && b[from + 1] === 0x78 && b[from + 2] === 0x69 && b[from + 3] === 0x66 && b[from + 4] === 0 && b[from + 5] === 0;
}

/** The Orientation tag (0x0112) of the first image directory of a TIFF structure; 1 when absent or invalid. */
function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const u16 = (at: number) => (little ? tiff[at] | (tiff[at + 1] << 8) : u16be(tiff, at));
  const u32 = (at: number) => (little ? (tiff[at] | (tiff[at + 1] << 8) | (tiff[at + 2] << 16) | (tiff[at + 3] << 24)) >>> 0 : u32be(tiff, at));
  const directory = u32(4);
  if (directory + 2 > tiff.length) return 1;
  const count = u16(directory);
  for (let i = 0; i < count; i++) {
    const entry = directory + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    // SHORT (type 3), one value, stored in the entry.
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 2) === 3 ? u16(entry + 8) : 1;
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

function pngHeader(b: Uint8Array): PhotoHeader | null {
  // IHDR is the first chunk: length (13), type, width, height.
  if (b.length < 24 || u32be(b, 8) !== 13 || String.fromCharCode(b[12], b[13], b[14], b[15]) !== 'IHDR') return null;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  // A PNG may carry EXIF (an eXIf chunk before the image data), whose orientation the decoder applies: let it say.
  for (let at = 8; at + 8 <= b.length; ) {
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    if (type === 'eXIf') return null;
    if (type === 'IDAT' || type === 'IEND') break;
    at += 12 + u32be(b, at);
  }
  return width > 0 && height > 0 ? { format: 'png', width, height, orientation: 1 } : null;
}
