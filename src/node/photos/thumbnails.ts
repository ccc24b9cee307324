/** Thumbnails live in the project's cache folder, one JPEG per content hash. */
import path from 'node:path';

/** The folder beside a project file for caches that can be rebuilt (thumbnails). */
export function projectCacheDir(file: string): string {
  return `${file}-cache`;
}

export function thumbnailPath(projectFile: string, hash: string): string {
  return path.join(projectCacheDir(projectFile), 'thumbs', hash.slice(0, 2), `${hash}.jpg`);
}

/** Content hashes are 64 lowercase hex digits; anything else is refused before touching a path. */
export function isContentHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
