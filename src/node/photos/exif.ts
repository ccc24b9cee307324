/**
 * The few EXIF facts the photo viewer shows — when a photo was taken and with which camera — read
 * from the EXIF block sharp hands over (a TIFF structure after "Exif\0\0"). Every offset is
 * checked against the block's length: a damaged or hostile block gives nothing, never an error.
 */
export interface ExifFacts {
  /** "2024-05-01T14:03:22": the camera's local time, as written (EXIF rarely says the time zone). */
  takenAt: string | null;
  camera: string | null;
}

const TAG = { make: 0x010f, model: 0x0110, dateTime: 0x0132, exifPointer: 0x8769, dateTimeOriginal: 0x9003 };
const ASCII = 2;
const LONG = 4;
const MAX_ENTRIES = 512;

export function readExifFacts(block: Buffer | undefined): ExifFacts {
  const none: ExifFacts = { takenAt: null, camera: null };
  if (!block) return none;
  const start = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  const tiff = block.subarray(start);
  if (tiff.length < 8) return none;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return none;
  const little = order === 'II';
  const u16 = (at: number) => (at + 2 <= tiff.length ? (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at)) : null);
  const u32 = (at: number) => (at + 4 <= tiff.length ? (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at)) : null);

  /** The entries of the directory at `offset`: tag → [type, count, where the value is]. */
  const directory = (offset: number | null): Map<number, { type: number; count: number; at: number }> => {
    const entries = new Map<number, { type: number; count: number; at: number }>();
    const n = offset === null ? null : u16(offset);
    if (offset === null || n === null) return entries;
    for (let i = 0; i < Math.min(n, MAX_ENTRIES); i++) {
      const at = offset + 2 + i * 12;
      const tag = u16(at);
      const type = u16(at + 2);
      const count = u32(at + 4);
      if (tag === null || type === null || count === null) break;
      // Values of up to four bytes sit in the entry; longer ones at an offset.
      const valueAt = type === ASCII && count > 4 ? u32(at + 8) : at + 8;
      if (valueAt !== null) entries.set(tag, { type, count, at: valueAt });
    }
    return entries;
  };
  const text = (entry: { type: number; count: number; at: number } | undefined): string | null => {
    if (!entry || entry.type !== ASCII || entry.at + entry.count > tiff.length) return null;
    const value = tiff
      .subarray(entry.at, entry.at + entry.count)
      .toString('latin1')
      .replace(/\0.*$/s, '')
      .trim();
    return value || null;
  };

  const ifd0 = directory(u32(4));
  const pointer = ifd0.get(TAG.exifPointer);
  const exif = pointer && pointer.type === LONG ? directory(u32(pointer.at)) : new Map();
  const make = text(ifd0.get(TAG.make));
  const model = text(ifd0.get(TAG.model));
  // The model often repeats the make ("Canon" + "Canon EOS 5D"): say it once.
  const camera = make && model ? (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`) : (model ?? make);
  return { takenAt: exifDate(text(exif.get(TAG.dateTimeOriginal)) ?? text(ifd0.get(TAG.dateTime))), camera };
}

/** "2024:05:01 14:03:22" → "2024-05-01T14:03:22"; null for anything else (and the all-zero "unknown" date). */
function exifDate(value: string | null): string | null {
  const match = value ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value) : null;
  if (!match || match[1] === '0000') return null;
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}`;
}
