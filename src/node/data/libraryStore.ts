/**
 * Reading and changing the photo library of an open project: queries for the grid, classes,
 * labels with undo and redo, splits. Every change is one transaction.
 */
import type { ClassInfo, ImageQuery, LibraryPage, LibrarySummary, PhotoRecord } from '../../shared/api/library';
import { GraftError } from '../../shared/api/errors';
import { classColor } from '../../shared/classColors';
import type { ClassSplitCount } from '../../shared/readiness';
import type { Split } from '../../shared/splits';
import type { Sqlite } from './sqlite';

/** Orders of the grid; names sort naturally (cat.2 before cat.10) through their stored key. */
const SORTS: Record<ImageQuery['sort'], string> = {
  name: 'i.sort_key, i.id',
  added: 'i.added_at, i.id',
  class: 'c.position IS NULL, c.position, i.sort_key, i.id',
  // The "label next" queue: unlabelled photos the model is least sure of first.
  uncertainty: 'i.class_id IS NOT NULL, s.margin IS NULL, s.margin, i.id',
};

/** A photo's representative file: the first of its paths that was present at the last import. */
export const PRESENT_PATH = (imageId: string) => `(SELECT path FROM image_paths p WHERE p.image_id = ${imageId} AND p.missing = 0 ORDER BY p.path LIMIT 1)`;

/** A photo with its label and split, and a file to read it from (null when every path is gone). */
export interface LabelledPhoto {
  id: number;
  hash: string;
  classId: number;
  split: Split;
  path: string | null;
}

export interface PhotoFile {
  id: number;
  hash: string;
  path: string | null;
}

/** The one way a class is made: named, coloured from the palette by default, placed last. */
export function insertClass(db: Sqlite, name: string, color?: string): number {
  const count = db.prepare('SELECT COUNT(*) FROM classes').pluck().get() as number;
  return Number(db.prepare('INSERT INTO classes (name, color, position) VALUES (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM classes))').run(name, color ?? classColor(count)).lastInsertRowid);
}

export class LibraryStore {
  constructor(private readonly db: Sqlite) {}

  /** Every labelled photo, by id: what training reads. */
  labelledPhotos(): LabelledPhoto[] {
    return this.db.prepare(`SELECT i.id, i.hash, i.class_id AS classId, i.split, ${PRESENT_PATH('i.id')} AS path FROM images i WHERE i.class_id IS NOT NULL ORDER BY i.id`).all() as LabelledPhoto[];
  }

  /** Every unlabelled photo, by id: what suggestions are made for. */
  unlabelledPhotos(): PhotoFile[] {
    return this.db.prepare(`SELECT i.id, i.hash, ${PRESENT_PATH('i.id')} AS path FROM images i WHERE i.class_id IS NULL ORDER BY i.id`).all() as PhotoFile[];
  }

  /** The photo with this content, if the library has it. */
  imageByHash(hash: string): { id: number; classId: number | null } | null {
    return (this.db.prepare('SELECT id, class_id AS classId FROM images WHERE hash = ?').get(hash) as { id: number; classId: number | null } | undefined) ?? null;
  }

  /** A class by name (any case), created when new. */
  ensureClass(name: string): number {
    const existing = this.db.prepare('SELECT id FROM classes WHERE name = ?').pluck().get(name.trim()) as number | undefined;
    return existing ?? insertClass(this.db, name.trim());
  }

  /** The WHERE clause and its parameters for a filter; used by the page and by "select all". */
  private where(query: Pick<ImageQuery, 'classId' | 'split' | 'folder' | 'search' | 'suggested'>): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    if (query.suggested) clauses.push('i.class_id IS NULL AND s.class_id IS NOT NULL');
    const params: unknown[] = [];
    if (query.classId === 'unlabelled') clauses.push('i.class_id IS NULL');
    else if (typeof query.classId === 'number') {
      clauses.push('i.class_id = ?');
      params.push(query.classId);
    }
    if (query.split) {
      clauses.push('i.split = ?');
      params.push(query.split);
    }
    if (query.folder) {
      clauses.push(`EXISTS (SELECT 1 FROM image_paths f WHERE f.image_id = i.id AND (f.folder = ? OR f.folder LIKE ? ESCAPE '\\'))`);
      params.push(query.folder, `${query.folder.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
    }
    if (query.search) {
      clauses.push(`EXISTS (SELECT 1 FROM image_paths s WHERE s.image_id = i.id AND s.name LIKE ? ESCAPE '\\')`);
      params.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private static readonly FROM = 'FROM images i LEFT JOIN classes c ON c.id = i.class_id LEFT JOIN suggestions s ON s.image_id = i.id';

  page(query: ImageQuery): LibraryPage {
    const { sql, params } = this.where(query);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n ${LibraryStore.FROM} ${sql}`).get(...params) as { n: number }).n;
    // The page is cut first (by indexes), then each of its photos gets its representative path:
    // the first present one.
    const rows = this.db
      .prepare(
        `SELECT i.id, i.hash, i.class_id AS classId, i.split, i.split_source AS splitSource, i.width, i.height,
                p.path, p.name, p.missing,
                CASE WHEN i.class_id IS NULL THEN s.class_id END AS suggestedClassId,
                CASE WHEN i.class_id IS NULL THEN s.confidence END AS suggestionConfidence,
                (SELECT COUNT(*) FROM image_paths z WHERE z.image_id = i.id) AS paths
         FROM (SELECT i.* ${LibraryStore.FROM} ${sql} ORDER BY ${SORTS[query.sort]} LIMIT ? OFFSET ?) i
         JOIN image_paths p ON p.path = (SELECT path FROM image_paths q WHERE q.image_id = i.id ORDER BY q.missing, q.path LIMIT 1)
         LEFT JOIN classes c ON c.id = i.class_id
         LEFT JOIN suggestions s ON s.image_id = i.id
         ORDER BY ${SORTS[query.sort]}`,
      )
      .all(...params, query.limit, query.offset) as {
      id: number;
      hash: string;
      classId: number | null;
      split: Split;
      splitSource: 'auto' | 'folder' | 'pinned';
      width: number;
      height: number;
      path: string;
      name: string;
      missing: number;
      paths: number;
      suggestedClassId: number | null;
      suggestionConfidence: number | null;
    }[];
    return { total, offset: query.offset, items: rows.map((r) => ({ ...r, missing: r.missing === 1 })) };
  }

  /** Every image id that matches a filter, in the grid's order: for "select all" and ranges. */
  ids(query: Omit<ImageQuery, 'offset' | 'limit'>): number[] {
    const { sql, params } = this.where(query);
    return (this.db.prepare(`SELECT i.id ${LibraryStore.FROM} ${sql} ORDER BY ${SORTS[query.sort]}`).all(...params) as { id: number }[]).map((r) => r.id);
  }

  classes(): ClassInfo[] {
    return this.db
      .prepare(
        `SELECT c.id, c.name, c.color, c.position, COUNT(i.id) AS count
         FROM classes c LEFT JOIN images i ON i.class_id = c.id GROUP BY c.id ORDER BY c.position`,
      )
      .all() as ClassInfo[];
  }

  /** How many labelled photos each class has in each split: what readiness for training is judged on. */
  classSplitCounts(): ClassSplitCount[] {
    return this.db
      .prepare(
        `SELECT c.id AS classId, c.name, COALESCE(SUM(i.split = 'train'), 0) AS train, COALESCE(SUM(i.split = 'validation'), 0) AS validation, COALESCE(SUM(i.split = 'test'), 0) AS test
         FROM classes c LEFT JOIN images i ON i.class_id = c.id GROUP BY c.id ORDER BY c.position`,
      )
      .all() as ClassSplitCount[];
  }

  /** Writes the natural sort key of photos imported before it existed (once per project, when it opens). */
  fillSortKeys(key: (name: string) => string): number {
    const rows = this.db.prepare('SELECT id, name FROM images WHERE sort_key IS NULL').all() as { id: number; name: string }[];
    if (!rows.length) return 0;
    const set = this.db.prepare('UPDATE images SET sort_key = ? WHERE id = ?');
    this.db.transaction(() => rows.forEach((r) => set.run(key(r.name), r.id)))();
    return rows.length;
  }

  /** What the photo viewer shows of a library photo besides its pixels: its files and sizes. */
  photoRecord(imageId: number): PhotoRecord | null {
    const image = this.db.prepare('SELECT id, hash, name, width, height, format, bytes, added_at AS addedAt FROM images WHERE id = ?').get(imageId) as
      | Omit<PhotoRecord, 'paths'>
      | undefined;
    if (!image) return null;
    const paths = (this.db.prepare('SELECT path, missing FROM image_paths WHERE image_id = ? ORDER BY missing, path').all(imageId) as { path: string; missing: number }[]).map((p) => ({
      path: p.path,
      missing: p.missing === 1,
    }));
    return { ...image, paths };
  }

  summary(): Omit<LibrarySummary, 'conflicts' | 'nearDuplicates'> {
    const counts = this.db
      .prepare(
        `SELECT COUNT(*) AS images, SUM(class_id IS NULL) AS unlabelled,
                SUM(split = 'train') AS train, SUM(split = 'validation') AS validation, SUM(split = 'test') AS test
         FROM images`,
      )
      .get() as Record<string, number | null>;
    const missing = (this.db.prepare('SELECT COUNT(*) AS n FROM image_paths WHERE missing = 1').get() as { n: number }).n;
    const problems = this.db.prepare('SELECT path, reason FROM import_problems ORDER BY path LIMIT 500').all() as { path: string; reason: string }[];
    const folders = (this.db.prepare('SELECT folder FROM sources ORDER BY folder').all() as { folder: string }[]).map((r) => r.folder);
    return {
      images: counts.images ?? 0,
      unlabelled: counts.unlabelled ?? 0,
      splits: { train: counts.train ?? 0, validation: counts.validation ?? 0, test: counts.test ?? 0 },
      missingPaths: missing,
      problems,
      folders,
      classes: this.classes(),
    };
  }

  createClass(name: string, color?: string): ClassInfo {
    const trimmed = name.trim();
    if (this.db.prepare('SELECT 1 FROM classes WHERE name = ?').get(trimmed)) {
      throw new GraftError('already_exists', `There is already a class named “${trimmed}”.`);
    }
    return this.requireClass(insertClass(this.db, trimmed, color));
  }

  updateClass(id: number, change: { name?: string; color?: string }): ClassInfo {
    this.requireClass(id);
    if (change.name !== undefined) {
      const clash = this.db.prepare('SELECT id FROM classes WHERE name = ? AND id <> ?').get(change.name.trim(), id);
      if (clash) throw new GraftError('already_exists', `There is already a class named “${change.name.trim()}”. Merge them instead.`);
      this.db.prepare('UPDATE classes SET name = ? WHERE id = ?').run(change.name.trim(), id);
    }
    if (change.color !== undefined) this.db.prepare('UPDATE classes SET color = ? WHERE id = ?').run(change.color, id);
    return this.requireClass(id);
  }

  /** Moves every image of `from` into `into`, then deletes `from`; like deleting a class, it cannot be undone. */
  mergeClasses(from: number, into: number, origin: string | null = null): ClassInfo {
    if (from === into) throw new GraftError('conflict', 'A class cannot be merged into itself.');
    this.requireClass(from);
    this.requireClass(into);
    this.removeClass(from, into, origin);
    return this.requireClass(into);
  }

  /** Deletes a class; its photos become unlabelled (and say so in the UI first). */
  deleteClass(id: number): void {
    this.requireClass(id);
    this.removeClass(id, null, null);
  }

  /**
   * Relabels a class's photos `relabelTo` (null: unlabelled) and deletes it. Undo entries that would
   * bring it back are dropped: replaying them would name a class that no longer exists.
   */
  private removeClass(id: number, relabelTo: number | null, origin: string | null): void {
    this.db.transaction(() => {
      const ids = (this.db.prepare('SELECT id FROM images WHERE class_id = ?').all(id) as { id: number }[]).map((r) => r.id);
      this.applyLabels(ids, relabelTo, origin);
      this.db.prepare('DELETE FROM label_edits WHERE before = ? OR after = ?').run(id, id);
      this.db.prepare('DELETE FROM classes WHERE id = ?').run(id);
      this.renumber();
    })();
  }

  reorderClasses(ids: number[]): ClassInfo[] {
    const existing = this.classes().map((c) => c.id);
    if (ids.length !== existing.length || !existing.every((id) => ids.includes(id))) {
      throw new GraftError('conflict', 'The new order must list every class exactly once.');
    }
    const set = this.db.prepare('UPDATE classes SET position = ? WHERE id = ?');
    this.db.transaction(() => ids.forEach((id, position) => set.run(position, id)))();
    return this.classes();
  }

  /** Gives photos their suggested labels, as one undoable action of `origin`. Returns how many changed. */
  acceptSuggestions(imageIds: number[], origin: string | null = null): number {
    const suggestion = this.db.prepare('SELECT class_id AS classId FROM suggestions WHERE image_id = ?');
    return this.db.transaction(() => {
      const byClass = new Map<number, number[]>();
      for (const id of imageIds) {
        const row = suggestion.get(id) as { classId: number } | undefined;
        if (row) byClass.set(row.classId, [...(byClass.get(row.classId) ?? []), id]);
      }
      const action = this.lazyAction(origin);
      let changed = 0;
      for (const [classId, ids] of byClass) changed += this.applyLabels(ids, classId, origin, action);
      return changed;
    })();
  }

  /**
   * Labels images (null: unlabel) as one undoable action. `origin` says who labelled (a window, a
   * CLI command): undo and redo act only on their own origin's actions. Returns how many changed.
   */
  setLabels(imageIds: number[], classId: number | null, origin: string | null = null): number {
    if (classId !== null) this.requireClass(classId);
    return this.db.transaction(() => this.applyLabels(imageIds, classId, origin))();
  }

  /** Starts a new undoable action of `origin`: its id, after dropping the redo history it ends (that origin's only). */
  private nextAction(origin: string | null): number {
    this.db.prepare('DELETE FROM label_edits WHERE undone = 1 AND origin IS ?').run(origin);
    return ((this.db.prepare('SELECT MAX(action_id) AS m FROM label_edits').get() as { m: number | null }).m ?? 0) + 1;
  }

  /**
   * The id of one undoable action, made when first asked for: labelling that changes nothing (a
   * photo given the label it has) starts no action, and so keeps the origin's redo history.
   */
  private lazyAction(origin: string | null): () => number {
    let id: number | null = null;
    return () => (id ??= this.nextAction(origin));
  }

  private applyLabels(imageIds: number[], classId: number | null, origin: string | null, action = this.lazyAction(origin)): number {
    const current = this.db.prepare('SELECT class_id AS classId FROM images WHERE id = ?');
    const update = this.db.prepare('UPDATE images SET class_id = ?, labelled_at = ? WHERE id = ?');
    const log = this.db.prepare('INSERT INTO label_edits (action_id, image_id, before, after, origin) VALUES (?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    let changed = 0;
    for (const id of imageIds) {
      const row = current.get(id) as { classId: number | null } | undefined;
      if (!row || row.classId === classId) continue;
      update.run(classId, classId === null ? null : now, id);
      log.run(action(), id, row.classId, classId, origin);
      changed++;
    }
    return changed;
  }

  /**
   * Reverts the last labelling action of `origin` (a window, a CLI command), never another's;
   * returns how many images changed (0: nothing to undo). A photo relabelled since by someone
   * else keeps that newer label.
   */
  undo(origin: string | null = null): number {
    return this.replay('undo', origin);
  }

  redo(origin: string | null = null): number {
    return this.replay('redo', origin);
  }

  private replay(direction: 'undo' | 'redo', origin: string | null): number {
    return this.db.transaction(() => {
      const pick =
        direction === 'undo'
          ? 'SELECT MAX(action_id) AS a FROM label_edits WHERE undone = 0 AND origin IS ?'
          : 'SELECT MIN(action_id) AS a FROM label_edits WHERE undone = 1 AND origin IS ?';
      const action = (this.db.prepare(pick).get(origin) as { a: number | null }).a;
      if (action === null) return 0;
      const edits = this.db.prepare('SELECT image_id AS imageId, before, after FROM label_edits WHERE action_id = ?').all(action) as {
        imageId: number;
        before: number | null;
        after: number | null;
      }[];
      const update = this.db.prepare('UPDATE images SET class_id = ?, labelled_at = ? WHERE id = ? AND class_id IS ?');
      const now = new Date().toISOString();
      let changed = 0;
      for (const edit of edits) {
        const [from, to] = direction === 'undo' ? [edit.after, edit.before] : [edit.before, edit.after];
        changed += update.run(to, to === null ? null : now, edit.imageId, from).changes;
      }
      this.db.prepare('UPDATE label_edits SET undone = ? WHERE action_id = ?').run(direction === 'undo' ? 1 : 0, action);
      return changed;
    })();
  }

  /** The classes these photos are in now (null: unlabelled): what a labelling of them changes. */
  classesOf(imageIds: number[]): (number | null)[] {
    const classes = new Set<number | null>();
    for (let start = 0; start < imageIds.length; start += 500) {
      const chunk = imageIds.slice(start, start + 500);
      const rows = this.db.prepare(`SELECT DISTINCT class_id FROM images WHERE id IN (${chunk.map(() => '?').join(',')})`).pluck().all(...chunk) as (number | null)[];
      rows.forEach((c) => classes.add(c));
    }
    return [...classes];
  }

  /** Image ids by one of their file paths, for the CLI; unknown paths are returned apart. */
  idsForPaths(paths: string[]): { ids: number[]; unknown: string[] } {
    const find = this.db.prepare('SELECT image_id AS id FROM image_paths WHERE path = ?');
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const p of paths) {
      const row = find.get(p) as { id: number } | undefined;
      if (row) ids.push(row.id);
      else unknown.push(p);
    }
    return { ids, unknown };
  }

  /** A path of the image that exists now, for the full-size preview. */
  presentPath(imageId: number): string | null {
    return (this.db.prepare(`SELECT ${PRESENT_PATH('?')}`).pluck().get(imageId) as string | null) ?? null;
  }

  private requireClass(id: number): ClassInfo {
    const found = this.classes().find((c) => c.id === id);
    if (!found) throw new GraftError('not_found', `There is no class ${id}.`);
    return found;
  }

  private renumber(): void {
    const ids = (this.db.prepare('SELECT id FROM classes ORDER BY position').all() as { id: number }[]).map((r) => r.id);
    const set = this.db.prepare('UPDATE classes SET position = ? WHERE id = ?');
    ids.forEach((id, position) => set.run(position, id));
  }
}
