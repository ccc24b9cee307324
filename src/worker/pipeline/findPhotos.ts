/** The photo files under folders, by extension, sorted; and what could not be looked at, by name. */
import fs from 'node:fs';
import path from 'node:path';
import { isPhotoName } from '../../node/photos/imageFiles';
import { walkFiles, type Problem } from './walkFiles';

export interface FoundPhotos {
  /** Photo files, each with the chosen folder it was found under. */
  photos: { root: string; path: string }[];
  /** Other files (not photos by their extension). */
  skipped: number;
  problems: Problem[];
}

export async function findPhotos(folders: string[], signal: AbortSignal): Promise<FoundPhotos> {
  const found: FoundPhotos = { photos: [], skipped: 0, problems: [] };
  const seen = new Set<string>();
  for (const root of folders.map((f) => path.resolve(f))) {
    let stat: fs.Stats | null = null;
    try {
      stat = await fs.promises.stat(root);
    } catch {
      // said below
    }
    if (!stat?.isDirectory()) throw new Error(`${root} is not a folder${stat ? '' : ' (it does not exist)'}.`);
    const walked = await walkFiles(root, signal, isPhotoName);
    for (const file of walked.files) {
      if (!isPhotoName(file)) found.skipped++;
      else if (!seen.has(file)) {
        seen.add(file);
        found.photos.push({ root, path: file });
      }
    }
    found.problems.push(...walked.problems);
  }
  return found;
}
