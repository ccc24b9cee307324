/** A photo file's facts for the photo viewer — upright size, bytes, format, EXIF date and camera — without decoding its pixels. */
import fs from 'node:fs';
import { sharp } from './sharpLoader';
import { readExifFacts } from './exif';
import { MAX_PIXELS } from './imageFiles';

export interface PhotoFacts {
  width: number | null;
  height: number | null;
  bytes: number | null;
  format: string | null;
  takenAt: string | null;
  camera: string | null;
}

/** What can be read of the file; nulls for what cannot (a missing or damaged file is not an error here). */
export async function photoFacts(file: string): Promise<PhotoFacts> {
  const facts: PhotoFacts = { width: null, height: null, bytes: null, format: null, takenAt: null, camera: null };
  try {
    facts.bytes = (await fs.promises.stat(file)).size;
    const metadata = await sharp(file, { limitInputPixels: MAX_PIXELS }).metadata();
    const turned = (metadata.orientation ?? 1) >= 5;
    facts.width = (turned ? metadata.height : metadata.width) ?? null;
    facts.height = (turned ? metadata.width : metadata.height) ?? null;
    facts.format = metadata.format ?? null;
    Object.assign(facts, readExifFacts(metadata.exif));
  } catch {
    // Gone or unreadable: the viewer shows what the project knows.
  }
  return facts;
}
