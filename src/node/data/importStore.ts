/**
 * What an import writes: the folders imported, each file found (a new photo, a known photo at a
 * new path, or unchanged), the files that could not be imported and why, and the known paths
 * that are gone. The import job decides; this records, a batch per transaction.
 */
import path from 'node:path';
import { naturalSortKey } from '../../shared/naturalSort';
import type { Split } from '../../shared/splits';
import { insertClass } from './libraryStore';
import type { Sqlite } from './sqlite';

/** What a file's folders say about it (ImageFolder layout). */
export interface FolderSays {
  label: string | null;
  split: Split | null;
}

/** A photo met in two split folders or two class folders: listed, never resolved silently. */
export interface ImportConflict {
  kind: 'split' | 'class';
  paths: string[];
  detail: string;
}

/** What the import found out about one file. */
export type ExaminedFile =
  | { kind: 'unchanged'; path: string }
  /**
   * A file that could not be imported. With its size and modification time when the problem is its
   * content (not an image, damaged, empty, too large): the next import then skips it until it
   * changes. Without them (it could not be opened, a transient error) it is tried again.
   */
  | { kind: 'problem'; path: string; reason: string; size?: number; mtimeMs?: number }
  /** Content the library already has, at a path it did not know; `folder` is what its folders say, when they are read. */
  | { kind: 'known'; path: string; hash: string; size: number; mtimeMs: number; folder: FolderSays | null }
  | {
      kind: 'new';
      path: string;
      hash: string;
      size: number;
      mtimeMs: number;
      width: number;
      height: number;
      format: string;
      /** The perceptual hash (nearDuplicates.ts); null for a photo too flat to have one. */
      phash: string | null;
      /** The class from the folder layout, by name (created when new), or null. */
      label: string | null;
      split: Split;
      splitSource: 'auto' | 'folder';
    };

export interface RecordedCounts {
  added: number;
  newPaths: number;
  unchanged: number;
  labelled: number;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class ImportStore {
  private readonly knownPathStatement;
  private readonly hasImageStatement;
  private readonly knownProblemStatement;

  constructor(private readonly db: Sqlite) {
    this.knownPathStatement = db.prepare('SELECT p.size, p.mtime_ms AS mtimeMs, i.hash FROM image_paths p JOIN images i ON i.id = p.image_id WHERE p.path = ?');
    this.hasImageStatement = db.prepare('SELECT 1 FROM images WHERE hash = ?').pluck();
    this.knownProblemStatement = db.prepare('SELECT reason, size, mtime_ms AS mtimeMs FROM import_problems WHERE path = ? AND size IS NOT NULL AND mtime_ms IS NOT NULL');
  }

  /** Remembers the imported folders (a later import re-scans them). */
  addSources(folders: string[], folderLabels: boolean): void {
    const add = this.db.prepare('INSERT INTO sources (folder, folder_labels, added_at) VALUES (?, ?, ?) ON CONFLICT (folder) DO UPDATE SET folder_labels = excluded.folder_labels');
    const now = new Date().toISOString();
    this.db.transaction(() => folders.forEach((folder) => add.run(folder, folderLabels ? 1 : 0, now)))();
  }

  /** The size, modification time and content hash recorded for a path, if the library knows it. */
  knownPath(file: string): { size: number; mtimeMs: number; hash: string } | undefined {
    return this.knownPathStatement.get(file) as { size: number; mtimeMs: number; hash: string } | undefined;
  }

  /** Why this file could not be imported last time, when that was its content, with the size and time it had then. */
  knownProblem(file: string): { reason: string; size: number; mtimeMs: number } | undefined {
    return this.knownProblemStatement.get(file) as { reason: string; size: number; mtimeMs: number } | undefined;
  }

  hasImage(hash: string): boolean {
    return this.hasImageStatement.get(hash) !== undefined;
  }

  recordProblems(problems: { path: string; reason: string }[]): void {
    this.record(problems.map((p) => ({ kind: 'problem', ...p })));
  }

  /** Records a batch of examined files in one transaction. */
  record(files: ExaminedFile[]): RecordedCounts {
    const counts: RecordedCounts = { added: 0, newPaths: 0, unchanged: 0, labelled: 0 };
    const markPresent = this.db.prepare('UPDATE image_paths SET missing = 0 WHERE path = ?');
    const recordProblem = this.db.prepare(
      `INSERT INTO import_problems (path, reason, seen_at, size, mtime_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at, size = excluded.size, mtime_ms = excluded.mtime_ms`,
    );
    const clearProblem = this.db.prepare('DELETE FROM import_problems WHERE path = ?');
    const imageId = this.db.prepare('SELECT id FROM images WHERE hash = ?').pluck();
    const classByName = this.db.prepare('SELECT id FROM classes WHERE name = ?').pluck();
    const insertImage = this.db.prepare(
      `INSERT INTO images (hash, name, sort_key, width, height, format, bytes, added_at, class_id, labelled_at, split, split_source, phash)
       VALUES (@hash, @name, @sortKey, @width, @height, @format, @bytes, @addedAt, @classId, @labelledAt, @split, @splitSource, @phash)`,
    );
    const upsertPath = this.db.prepare(
      `INSERT INTO image_paths (path, image_id, folder, name, size, mtime_ms, missing) VALUES (?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT (path) DO UPDATE SET image_id = excluded.image_id, size = excluded.size, mtime_ms = excluded.mtime_ms, missing = 0`,
    );
    this.db.transaction(() => {
      const now = new Date().toISOString();
      for (const file of files) {
        if (file.kind === 'unchanged') {
          markPresent.run(file.path);
          counts.unchanged++;
          continue;
        }
        if (file.kind === 'problem') {
          recordProblem.run(file.path, file.reason, now, file.size ?? null, file.mtimeMs ?? null);
          continue;
        }
        clearProblem.run(file.path);
        let id = imageId.get(file.hash) as number | undefined;
        if (id !== undefined) {
          // A photo the library has (or that a copy earlier in this import just added) at another path.
          const before = this.knownPathStatement.get(file.path) as { hash: string } | undefined;
          if (before?.hash === file.hash) {
            // The same file read again for a step it had missed (its perceptual hash), or touched: not a new path.
            counts.unchanged++;
          } else {
            const folder = file.kind === 'known' ? file.folder : { label: file.label, split: file.splitSource === 'folder' ? file.split : null };
            if (folder) this.noteConflicts(file.path, file.hash, folder, now);
            counts.newPaths++;
          }
        } else if (file.kind === 'new') {
          const classId = file.label === null ? null : ((classByName.get(file.label) as number | undefined) ?? insertClass(this.db, file.label));
          if (classId !== null) counts.labelled++;
          id = Number(
            insertImage.run({
              hash: file.hash,
              name: path.basename(file.path),
              sortKey: naturalSortKey(path.basename(file.path)),
              width: file.width,
              height: file.height,
              format: file.format,
              // '' marks a photo hashed but too flat to have one (as SplitStore.setPerceptualHashes stores it).
              phash: file.phash ?? '',
              bytes: file.size,
              addedAt: now,
              classId,
              labelledAt: classId === null ? null : now,
              split: file.split,
              splitSource: file.splitSource,
            }).lastInsertRowid,
          );
          counts.added++;
        } else {
          continue; // a path of a photo whose content is not in the library: cannot happen for a 'known' file
        }
        upsertPath.run(file.path, id, path.dirname(file.path), path.basename(file.path), file.size, file.mtimeMs);
      }
    })();
    return counts;
  }

  /** Records where a known photo's new path disagrees with what its first folders said. */
  private noteConflicts(file: string, hash: string, folder: FolderSays, now: string): void {
    const image = this.db
      .prepare(
        `SELECT i.id, c.name AS className, i.split, i.split_source AS splitSource, (SELECT path FROM image_paths p WHERE p.image_id = i.id ORDER BY p.path LIMIT 1) AS firstPath
         FROM images i LEFT JOIN classes c ON c.id = i.class_id WHERE i.hash = ?`,
      )
      .get(hash) as { id: number; className: string | null; split: Split; splitSource: string; firstPath: string | null } | undefined;
    if (!image?.firstPath || image.firstPath === file) return;
    const record = this.db.prepare(
      `INSERT INTO import_conflicts (image_id, kind, paths, detail, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (image_id, kind) DO UPDATE SET paths = excluded.paths, detail = excluded.detail, seen_at = excluded.seen_at`,
    );
    const paths = JSON.stringify([image.firstPath, file]);
    if (folder.label && image.className && folder.label.toLocaleLowerCase() !== image.className.toLocaleLowerCase()) {
      record.run(image.id, 'class', paths, `the same photo is in the class folders “${image.className}” and “${folder.label}”; it keeps “${image.className}”`, now);
    }
    if (folder.split && image.splitSource === 'folder' && folder.split !== image.split) {
      record.run(image.id, 'split', paths, `the same photo is in a ${image.split} folder and a ${folder.split} folder; it stays in ${image.split} (one photo is in one split)`, now);
    }
  }

  /** The conflicts recorded so far, newest first. */
  conflicts(limit = 500): ImportConflict[] {
    return (this.db.prepare('SELECT kind, paths, detail FROM import_conflicts ORDER BY seen_at DESC LIMIT ?').all(limit) as { kind: 'split' | 'class'; paths: string; detail: string }[]).map((c) => ({
      kind: c.kind,
      paths: JSON.parse(c.paths) as string[],
      detail: c.detail,
    }));
  }

  /**
   * Flags the known paths under these folders that were not seen again. They are never dropped:
   * their labels stay with the photo, which may still exist elsewhere. Returns how many.
   */
  flagMissing(folders: string[], seen: Set<string>): number {
    const under = this.db.prepare(`SELECT path FROM image_paths WHERE (folder = ? OR folder LIKE ? ESCAPE '\\') AND missing = 0`).pluck();
    const flag = this.db.prepare('UPDATE image_paths SET missing = 1 WHERE path = ?');
    let missing = 0;
    this.db.transaction(() => {
      for (const folder of folders) {
        for (const file of under.all(folder, `${escapeLike(folder + path.sep)}%`) as string[]) {
          if (seen.has(file)) continue;
          flag.run(file);
          missing++;
        }
      }
    })();
    return missing;
  }
}
