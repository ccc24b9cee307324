/** Results as files: CSV (one row per photo) and JSON, written as a stream so size does not matter. */
import fs from 'node:fs';
import type { ClassifiedPhoto } from '../../shared/api/classify';
import { csvRow } from '../../shared/csv';

export const CSV_HEADER = ['path', 'class', 'confidence', 'top', 'error'];

export function photoCsvRow(photo: Pick<ClassifiedPhoto, 'path' | 'label' | 'confidence' | 'top' | 'error'>): string {
  const top = photo.top.map((g) => `${g.label}:${g.confidence.toFixed(4)}`).join('|');
  return csvRow([photo.path, photo.label, photo.confidence === null ? null : photo.confidence.toFixed(4), top, photo.error]);
}

export function photoJson(photo: Pick<ClassifiedPhoto, 'path' | 'label' | 'confidence' | 'top' | 'error'>): string {
  return JSON.stringify({ path: photo.path, class: photo.label, confidence: photo.confidence, top: photo.top, error: photo.error });
}

/**
 * Writes the photos to `file` (format by `kind`) through a temporary file renamed at the end;
 * `beforeRename` may still refuse (throw), and the temporary file is then removed.
 */
export function writeResultsFile(file: string, kind: 'csv' | 'json', photos: Iterable<ClassifiedPhoto>, onRow?: () => void, beforeRename?: () => void): number {
  const partial = `${file}.partial`;
  const fd = fs.openSync(partial, 'w');
  let rows = 0;
  try {
    try {
      fs.writeSync(fd, kind === 'csv' ? csvRow(CSV_HEADER) : '[\n');
      for (const photo of photos) {
        fs.writeSync(fd, kind === 'csv' ? photoCsvRow(photo) : `${rows ? ',\n' : ''}  ${photoJson(photo)}`);
        rows++;
        onRow?.();
      }
      if (kind === 'json') fs.writeSync(fd, '\n]\n');
    } finally {
      fs.closeSync(fd);
    }
    beforeRename?.();
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  return rows;
}
