/**
 * Classified photos in the project: written chunk by chunk by the classify job, read by the
 * results grid, the summary and the actions. The "unknown" threshold is applied when reading.
 */
import path from 'node:path';
import { DEFAULT_UNKNOWN_THRESHOLD, ERROR_LABEL, UNKNOWN_LABEL, type ClassifiedPhoto, type ClassifierInfo, type ClassifySummary, type ResultFilter, type ResultsPage } from '../../shared/api/classify';
import { GraftError } from '../../shared/api/errors';
import type { Sqlite } from './sqlite';
import type { PhotoOutcome, ResultSink, TopGuesses } from '../results/resultSink';

interface Row {
  id: number;
  path: string;
  hash: string | null;
  classIndex: number | null;
  confidence: number | null;
  top: string | null;
  error: string | null;
}

export interface SortedQuery extends ResultFilter {
  sort: 'path' | 'confidence' | 'confidence_desc';
  offset: number;
  limit: number;
}

/** What a merge did: photos new to the project, changed, the same as before; and those stored at the project's own path for their content. */
export interface MergeCounts {
  added: number;
  updated: number;
  unchanged: number;
  byHash: number;
}

export class ClassifiedStore {
  constructor(private readonly db: Sqlite) {}

  /** The classifier's row for this model, created the first time it classifies here. */
  ensureClassifier(model: { identity: string; runId: number | null; name: string; labels: string[] }): number {
    const existing = this.db.prepare('SELECT id FROM classifiers WHERE identity = ?').get(model.identity) as { id: number } | undefined;
    if (existing) return existing.id;
    return Number(
      this.db
        .prepare('INSERT INTO classifiers (identity, run_id, name, labels, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(model.identity, model.runId, model.name, JSON.stringify(model.labels), new Date().toISOString()).lastInsertRowid,
    );
  }

  sink(classifierId: number): ResultSink {
    const unchanged = this.db.prepare('SELECT 1 FROM classified_photos WHERE classifier_id = ? AND path = ? AND size = ? AND mtime_ms = ?').pluck();
    const byHash = this.db.prepare('SELECT top FROM classified_photos WHERE classifier_id = ? AND hash = ? AND top IS NOT NULL LIMIT 1').pluck();
    const insert = this.db.prepare(
      `INSERT INTO classified_photos (classifier_id, path, size, mtime_ms, hash, class_index, confidence, top, error, classified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (classifier_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash,
         class_index = excluded.class_index, confidence = excluded.confidence, top = excluded.top, error = excluded.error, classified_at = excluded.classified_at`,
    );
    const write = this.db.transaction((outcomes: PhotoOutcome[]) => {
      const now = new Date().toISOString();
      for (const o of outcomes) insert.run(classifierId, o.path, o.size, o.mtimeMs, o.hash, o.top?.[0][0] ?? null, o.top?.[0][1] ?? null, o.top ? JSON.stringify(o.top) : null, o.error, now);
    });
    return {
      hasUnchanged: (file, size, mtimeMs) => unchanged.get(classifierId, file, size, mtimeMs) !== undefined,
      byHash: (hash) => {
        const top = byHash.get(classifierId, hash) as string | undefined;
        return top ? (JSON.parse(top) as TopGuesses) : undefined;
      },
      write,
    };
  }

  /**
   * Results classified elsewhere (the shards of `graft classify --out`), one transaction per call.
   * A photo whose content the project's library holds (a file of it present) is stored at the
   * project's own path for it, with that file's size and time, so that it shows and acts like a
   * photo classified here; any other photo at the path it was classified at. A row equal to the
   * one already stored is left alone: merging a file twice adds nothing.
   */
  merge(classifierId: number, outcomes: PhotoOutcome[]): MergeCounts {
    const libraryFile = this.db.prepare(
      `SELECT p.path, p.size, p.mtime_ms AS mtimeMs FROM images i JOIN image_paths p ON p.image_id = i.id
       WHERE i.hash = ? AND p.missing = 0 ORDER BY p.path LIMIT 1`,
    );
    const existing = this.db.prepare('SELECT size, mtime_ms AS mtimeMs, hash, class_index AS classIndex, confidence, top, error FROM classified_photos WHERE classifier_id = ? AND path = ?');
    const upsert = this.db.prepare(
      `INSERT INTO classified_photos (classifier_id, path, size, mtime_ms, hash, class_index, confidence, top, error, classified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (classifier_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash,
         class_index = excluded.class_index, confidence = excluded.confidence, top = excluded.top, error = excluded.error, classified_at = excluded.classified_at`,
    );
    return this.db.transaction(() => {
      const counts: MergeCounts = { added: 0, updated: 0, unchanged: 0, byHash: 0 };
      const now = new Date().toISOString();
      for (const o of outcomes) {
        const own = o.hash ? (libraryFile.get(o.hash) as { path: string; size: number; mtimeMs: number } | undefined) : undefined;
        if (own) counts.byHash++;
        const row = { ...(own ?? { path: o.path, size: o.size, mtimeMs: o.mtimeMs }), hash: o.hash, classIndex: o.top?.[0][0] ?? null, confidence: o.top?.[0][1] ?? null, top: o.top ? JSON.stringify(o.top) : null, error: o.error };
        const before = existing.get(classifierId, row.path) as Omit<typeof row, 'path'> | undefined;
        if (before && (Object.keys(before) as (keyof typeof before)[]).every((k) => before[k] === row[k])) {
          counts.unchanged++;
          continue;
        }
        upsert.run(classifierId, row.path, row.size, row.mtimeMs, row.hash, row.classIndex, row.confidence, row.top, row.error, now);
        if (before) counts.updated++;
        else counts.added++;
      }
      return counts;
    })();
  }

  list(): ClassifierInfo[] {
    const rows = this.db
      .prepare(
        `SELECT c.id, c.name, c.run_id AS runId, c.labels, (SELECT COUNT(*) FROM classified_photos p WHERE p.classifier_id = c.id) AS photos, COALESCE(c.threshold, ?) AS threshold
         FROM classifiers c ORDER BY c.id DESC`,
      )
      .all(DEFAULT_UNKNOWN_THRESHOLD) as { id: number; name: string; runId: number | null; labels: string; photos: number; threshold: number }[];
    return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) as string[] }));
  }

  /** Remembers the "unknown below" level chosen for a classifier's results. */
  setThreshold(classifierId: number, threshold: number): void {
    if (this.db.prepare('UPDATE classifiers SET threshold = ? WHERE id = ?').run(threshold, classifierId).changes === 0) {
      throw new GraftError('not_found', `No classification results ${classifierId} in this project.`);
    }
  }

  labels(classifierId: number): string[] {
    const row = this.db.prepare('SELECT labels FROM classifiers WHERE id = ?').get(classifierId) as { labels: string } | undefined;
    if (!row) throw new GraftError('not_found', `No classification results ${classifierId} in this project.`);
    return JSON.parse(row.labels) as string[];
  }

  /** SQL condition and parameters selecting the filtered photos. */
  private where(filter: ResultFilter, labels: string[]): { sql: string; params: unknown[] } {
    const clauses = ['classifier_id = ?'];
    const params: unknown[] = [filter.classifierId];
    if (filter.label === ERROR_LABEL) clauses.push('error IS NOT NULL');
    else if (filter.label === UNKNOWN_LABEL) {
      clauses.push('error IS NULL AND confidence < ?');
      params.push(filter.threshold);
    } else if (filter.label !== undefined) {
      const index = labels.indexOf(filter.label);
      if (index < 0) throw new GraftError('not_found', `The model has no class “${filter.label}”. Its classes: ${labels.join(', ')}.`);
      clauses.push('error IS NULL AND class_index = ? AND confidence >= ?');
      params.push(index, filter.threshold);
    }
    if (filter.minConfidence !== undefined) {
      clauses.push('confidence >= ?');
      params.push(filter.minConfidence);
    }
    if (filter.maxConfidence !== undefined) {
      clauses.push('confidence <= ?');
      params.push(filter.maxConfidence);
    }
    return { sql: clauses.join(' AND '), params };
  }

  private toPhoto(row: Row, labels: string[], threshold: number): ClassifiedPhoto {
    const top = row.top ? (JSON.parse(row.top) as TopGuesses) : [];
    const label = row.error ? ERROR_LABEL : row.confidence! < threshold ? UNKNOWN_LABEL : labels[row.classIndex!];
    return {
      id: row.id,
      path: row.path,
      name: path.basename(row.path),
      hash: row.hash,
      label,
      confidence: row.confidence,
      top: top.map(([i, p]) => ({ label: labels[i], confidence: p })),
      error: row.error,
    };
  }

  summary(classifierId: number, threshold: number): ClassifySummary {
    const labels = this.labels(classifierId);
    const rows = this.db
      .prepare(
        `SELECT CASE WHEN error IS NOT NULL THEN -2 WHEN confidence < ? THEN -1 ELSE class_index END AS k, COUNT(*) AS n
         FROM classified_photos WHERE classifier_id = ? GROUP BY k`,
      )
      .all(threshold, classifierId) as { k: number; n: number }[];
    const count = (k: number) => rows.find((r) => r.k === k)?.n ?? 0;
    return {
      classifierId,
      labels,
      total: rows.reduce((sum, r) => sum + r.n, 0),
      counts: [...labels.map((label, i) => ({ label, count: count(i) })), { label: UNKNOWN_LABEL, count: count(-1) }, { label: ERROR_LABEL, count: count(-2) }],
    };
  }

  page(query: SortedQuery): ResultsPage {
    const labels = this.labels(query.classifierId);
    const { sql, params } = this.where(query, labels);
    const order = query.sort === 'path' ? 'path' : query.sort === 'confidence' ? 'confidence IS NULL, confidence, path' : 'confidence DESC, path';
    const total = (this.db.prepare(`SELECT COUNT(*) FROM classified_photos WHERE ${sql}`).pluck().get(...params) as number) ?? 0;
    const rows = this.db
      .prepare(`SELECT id, path, hash, class_index AS classIndex, confidence, top, error FROM classified_photos WHERE ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as Row[];
    return { total, offset: query.offset, items: rows.map((r) => this.toPhoto(r, labels, query.threshold)) };
  }

  /**
   * Every filtered photo, a page at a time by id (actions over 100,000 photos stay small in
   * memory, and a move that changes paths does not shift the pages).
   */
  *select(filter: ResultFilter, pageSize = 1000): Generator<ClassifiedPhoto> {
    const labels = this.labels(filter.classifierId);
    const { sql, params } = this.where(filter, labels);
    const statement = this.db.prepare(`SELECT id, path, hash, class_index AS classIndex, confidence, top, error FROM classified_photos WHERE ${sql} AND id > ? ORDER BY id LIMIT ?`);
    for (let after = 0; ; ) {
      const rows = statement.all(...params, after, pageSize) as Row[];
      for (const row of rows) yield this.toPhoto(row, labels, filter.threshold);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].id;
    }
  }

  count(filter: ResultFilter): number {
    const { sql, params } = this.where(filter, this.labels(filter.classifierId));
    return this.db.prepare(`SELECT COUNT(*) FROM classified_photos WHERE ${sql}`).pluck().get(...params) as number;
  }

  /** After a move: the photo is now at `to`. */
  moved(id: number, to: string): void {
    this.db.prepare('UPDATE classified_photos SET path = ? WHERE id = ?').run(to, id);
  }

  /** The run a classifier is, when it is one of this project's. */
  runOf(classifierId: number): number | null {
    return (this.db.prepare('SELECT run_id FROM classifiers WHERE id = ?').pluck().get(classifierId) as number | null | undefined) ?? null;
  }

  /** A classified photo's file and content hash (for its thumbnail). */
  photo(id: number): { path: string; hash: string | null } | null {
    return (this.db.prepare('SELECT path, hash FROM classified_photos WHERE id = ?').get(id) as { path: string; hash: string | null } | undefined) ?? null;
  }

  /** Classified photos by id (to add them to the library): their file, size and content hash. */
  files(ids: number[]): { id: number; path: string; size: number; mtimeMs: number; hash: string | null }[] {
    const read = this.db.prepare('SELECT id, path, size, mtime_ms AS mtimeMs, hash FROM classified_photos WHERE id = ?');
    return ids.map((id) => read.get(id) as { id: number; path: string; size: number; mtimeMs: number; hash: string | null } | undefined).filter((r) => r !== undefined);
  }
}
