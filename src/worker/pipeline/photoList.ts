/**
 * A list of photos, one path per line — how a batch engine hands out work without every task
 * walking a shared folder tree. Relative paths are read from the list's folder, so a list written
 * beside the photos works wherever the share is mounted; each line, normalised, is the photo's
 * partition key. The list is read as a stream and only the lines `keep` accepts are held, so ten
 * million lines cost memory for one shard's part.
 *
 * The lines are data from elsewhere: a path in the list is only ever opened as a photo to read (and
 * that refuses anything but a regular file) — never written, walked or followed as a folder. A line
 * that cannot be a path (a NUL byte, longer than a path can be, not UTF-8) is reported by number.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { partitionKey } from '../../shared/sharding';
import { describeFsError } from '../../node/files/fsErrors';
import { readTextLines } from '../../node/files/textLines';
import type { Problem } from './walkFiles';

/** Linux's PATH_MAX: no path to open is longer. */
const MAX_PATH_BYTES = 4096;
const MAX_PROBLEMS = 100;

export interface ListedPhoto {
  path: string;
  key: string;
}

export interface PhotoList {
  /** The lines kept, each photo once, in list order. */
  photos: ListedPhoto[];
  /** Lines naming a photo (kept or not), repeats included. */
  total: number;
  /** Kept lines naming a photo already kept. */
  repeated: number;
  /** Lines that are not paths (the first 100), and the count of all of them. */
  problems: Problem[];
  badLines: number;
  sha256: string;
}

/** The key of a line: '/'-separated wherever Graft runs. */
function lineKey(line: string): string {
  return partitionKey(path.sep === '\\' ? line.replaceAll('\\', '/') : line);
}

export async function readPhotoList(file: string, signal: AbortSignal, keep: (key: string) => boolean): Promise<PhotoList> {
  const listFile = path.resolve(file);
  try {
    if (!(await fs.promises.stat(listFile)).isFile()) throw new Error(`${listFile} is not a file: give a text file listing one photo per line.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw new Error(`The list of photos ${listFile} cannot be read: ${describeFsError(error)}.`);
    throw error;
  }
  const folder = path.dirname(listFile);
  const hash = createHash('sha256');
  const list: PhotoList = { photos: [], total: 0, repeated: 0, problems: [], badLines: 0, sha256: '' };
  const seen = new Set<string>();
  const bad = (number: number, reason: string) => {
    list.badLines++;
    if (list.problems.length < MAX_PROBLEMS) list.problems.push({ path: `${listFile}, line ${number}`, reason: `${reason}: not a path to a photo` });
  };
  for await (const line of readTextLines(listFile, { maxBytes: MAX_PATH_BYTES, onBytes: (chunk) => hash.update(chunk), signal })) {
    if (line.text === null) {
      bad(line.number, line.problem!);
      continue;
    }
    if (line.text.trim() === '') continue;
    if (line.text.includes('\0')) {
      bad(line.number, 'it holds a NUL byte');
      continue;
    }
    list.total++;
    const key = lineKey(line.text);
    if (!keep(key)) continue;
    if (seen.has(key)) {
      list.repeated++;
      continue;
    }
    seen.add(key);
    list.photos.push({ path: path.resolve(folder, line.text), key });
  }
  list.sha256 = hash.digest('hex');
  return list;
}
