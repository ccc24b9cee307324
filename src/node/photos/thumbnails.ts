/** Thumbnails live in the project's cache folder, one JPEG per content hash. */
import path from 'node:path';
import { projectCacheDir } from '../data/project';

export const THUMBNAIL_SIZE = 256;

export function thumbnailPath(projectFile: string, hash: string): string {
  return path.join(projectCacheDir(projectFile), 'thumbs', hash.slice(0, 2), `${hash}.jpg`);
}

/** Content hashes are 64 lowercase hex digits; anything else is refused before touching a path. */
export function isContentHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
