/**
 * Thumbnails, one JPEG per content hash, in a SQLite database of their own in the project's cache
 * folder (`<project>.graft-cache/thumbnails.sqlite`). They can be rebuilt from the photos, so they
 * stay out of the project file (which stays small to copy); and they are rows of one database,
 * not a file each, because creating a file per photo cost an import of 3000 photos about 2 s of
 * kernel time, 5 % of its CPU (bench/speed.bench.mjs, measured). The import's worker writes while
 * the app reads, through SQLite's WAL, as with the project file.
 *
 * Graft before this kept a file per thumbnail (`thumbs/<2 hex>/<hash>.jpg` in the same folder):
 * those are still read, so an older project's library keeps its thumbnails. A thumbnail the cache
 * does not have is made again from its photo when it is shown (app/server/imageRoutes.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openSqlite, type Sqlite } from './sqlite';

/** The folder beside a project file for caches that can be rebuilt. */
export function projectCacheDir(projectFile: string): string {
  return `${projectFile}-cache`;
}

/** Content hashes are 64 lowercase hex digits; anything else is refused before it reaches a query or a path. */
export function isContentHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

const SCHEMA = 'CREATE TABLE IF NOT EXISTS thumbnails (hash TEXT PRIMARY KEY, jpeg BLOB NOT NULL)';

function openCache(file: string): Sqlite {
  const db = openSqlite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export class ThumbnailStore {
  // Prepared once: a grid asks for its thumbnails one request each, hundreds at a time.
  private readonly read;
  private readonly keep;

  private constructor(
    private readonly db: Sqlite,
    private readonly folder: string,
  ) {
    this.read = db.prepare('SELECT jpeg FROM thumbnails WHERE hash = ?').pluck();
    this.keep = db.prepare('INSERT OR REPLACE INTO thumbnails (hash, jpeg) VALUES (?, ?)');
  }

  /**
   * Opens (or creates) a project's thumbnail cache. A cache that is not a database any more
   * (damaged, or overwritten) is started afresh: nothing in it is the only copy of anything.
   */
  static open(projectFile: string): ThumbnailStore {
    const folder = projectCacheDir(projectFile);
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'thumbnails.sqlite');
    let db: Sqlite;
    try {
      db = openCache(file);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw error;
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      db = openCache(file);
    }
    return new ThumbnailStore(db, folder);
  }

  /** A photo's thumbnail, or null when there is none. */
  get(hash: string): Buffer | null {
    if (!isContentHash(hash)) return null;
    const jpeg = this.read.get(hash) as Buffer | undefined;
    if (jpeg) return jpeg;
    try {
      return fs.readFileSync(path.join(this.folder, 'thumbs', hash.slice(0, 2), `${hash}.jpg`));
    } catch {
      return null;
    }
  }

  /** Keeps thumbnails, in one transaction (an import writes a batch of photos at a time). */
  put(entries: Iterable<{ hash: string; jpeg: Buffer }>): void {
    this.db.transaction(() => {
      for (const { hash, jpeg } of entries) {
        if (!isContentHash(hash)) throw new Error(`Not a content hash: ${hash}`);
        this.keep.run(hash, jpeg);
      }
    })();
  }

  close(): void {
    this.db.close();
  }
}
