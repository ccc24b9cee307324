/**
 * The import job: finds photos under the chosen folders, identifies each by its content hash,
 * decodes it once with sharp (which proves it is a readable image) to make an upright thumbnail,
 * and records it in the project. Files that look like images but cannot be read are recorded with
 * the reason; nothing stops the rest. Work is committed in small transactions, so a crash or a
 * cancel keeps what was done and a new import continues from there (known files are skipped).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImportResult } from '../../shared/api/contract';
import { autoSplit, labelFromFolders, type Split, type SplitRatios } from '../../shared/splits';
import { classColor } from '../../shared/classColors';
import { openProjectDatabase } from '../../node/data/project';
import type { Sqlite } from '../../node/data/sqlite';
import { describeDecodeError, IMAGE_EXTENSIONS, MAX_PIXELS } from '../../node/photos/imageFiles';
import { thumbnailPath, THUMBNAIL_SIZE } from '../../node/photos/thumbnails';
import { throwIfCancelled, type JobContext } from '../../shared/jobs/jobContext';
import { describeFsError, walkFiles } from '../pipeline/walkFiles';

const BATCH = 64;
const CONCURRENCY = 4;

interface Candidate {
  root: string;
  path: string;
}

/** The image files under root (by extension), how many other files there were, and problems. */
function findImages(root: string, signal: AbortSignal) {
  const walked = walkFiles(root, signal);
  const candidates: Candidate[] = walked.files.filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase())).map((f) => ({ root, path: f }));
  return { candidates, skipped: walked.files.length - candidates.length, problems: walked.problems };
}

type Processed =
  | { kind: 'unchanged' }
  | { kind: 'problem'; reason: string }
  | { kind: 'known'; hash: string; size: number; mtimeMs: number }
  | { kind: 'new'; hash: string; size: number; mtimeMs: number; width: number; height: number; format: string };

export async function importPhotos(params: { folders: string[]; folderLabels: boolean }, projectPath: string, context: JobContext): Promise<ImportResult> {
  const db = openProjectDatabase(projectPath);
  try {
    return await runImport(db, params, projectPath, context);
  } finally {
    db.close();
  }
}

async function runImport(db: Sqlite, params: { folders: string[]; folderLabels: boolean }, projectPath: string, context: JobContext): Promise<ImportResult> {
  const roots = params.folders.map((f) => path.resolve(f));
  for (const root of roots) {
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder.`);
  }
  context.progress(0, null, 'photos', 'Looking for photos');
  const now = new Date().toISOString();
  const addSource = db.prepare('INSERT INTO sources (folder, folder_labels, added_at) VALUES (?, ?, ?) ON CONFLICT (folder) DO UPDATE SET folder_labels = excluded.folder_labels');
  for (const root of roots) addSource.run(root, params.folderLabels ? 1 : 0, now);

  const candidates: Candidate[] = [];
  const result: ImportResult = { found: 0, added: 0, newPaths: 0, unchanged: 0, skipped: 0, missing: 0, labelled: 0, problems: [] };
  for (const root of roots) {
    const walked = findImages(root, context.signal);
    candidates.push(...walked.candidates);
    result.skipped += walked.skipped;
    result.problems.push(...walked.problems);
  }
  result.found = candidates.length;

  const meta = new Map((db.prepare('SELECT key, value FROM project_meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  const ratios = JSON.parse(meta.get('split_ratios') ?? '{"train":0.7,"validation":0.15,"test":0.15}') as SplitRatios;
  const seed = Number(meta.get('split_seed') ?? 1);

  const knownPath = db.prepare('SELECT size, mtime_ms AS mtimeMs, missing FROM image_paths WHERE path = ?');
  const imageByHash = db.prepare('SELECT id FROM images WHERE hash = ?');
  const insertImage = db.prepare(
    `INSERT INTO images (hash, name, width, height, format, bytes, added_at, class_id, labelled_at, split, split_source)
     VALUES (@hash, @name, @width, @height, @format, @bytes, @addedAt, @classId, @labelledAt, @split, @splitSource)`,
  );
  const upsertPath = db.prepare(
    `INSERT INTO image_paths (path, image_id, folder, name, size, mtime_ms, missing) VALUES (?, ?, ?, ?, ?, ?, 0)
     ON CONFLICT (path) DO UPDATE SET image_id = excluded.image_id, size = excluded.size, mtime_ms = excluded.mtime_ms, missing = 0`,
  );
  const markPresent = db.prepare('UPDATE image_paths SET missing = 0 WHERE path = ?');
  const recordProblem = db.prepare('INSERT INTO import_problems (path, reason, seen_at) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at');
  const clearProblem = db.prepare('DELETE FROM import_problems WHERE path = ?');
  db.transaction(() => {
    const seenAt = new Date().toISOString();
    for (const problem of result.problems) recordProblem.run(problem.path, problem.reason, seenAt);
  })();
  const classByName = db.prepare('SELECT id FROM classes WHERE name = ?');
  const insertClass = db.prepare('INSERT INTO classes (name, color, position) VALUES (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM classes))');
  const classCount = db.prepare('SELECT COUNT(*) AS n FROM classes');

  const classId = (name: string): number => {
    const existing = classByName.get(name) as { id: number } | undefined;
    if (existing) return existing.id;
    const { n } = classCount.get() as { n: number };
    return Number(insertClass.run(name, classColor(n)).lastInsertRowid);
  };

  const examine = async (candidate: Candidate): Promise<Processed> => {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(candidate.path);
    } catch (error) {
      return { kind: 'problem', reason: describeFsError(error) };
    }
    const known = knownPath.get(candidate.path) as { size: number; mtimeMs: number; missing: number } | undefined;
    if (known && known.size === stat.size && known.mtimeMs === Math.trunc(stat.mtimeMs)) return { kind: 'unchanged' };
    if (stat.size === 0) return { kind: 'problem', reason: 'empty file (0 bytes)' };
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(candidate.path);
    } catch (error) {
      return { kind: 'problem', reason: describeFsError(error) };
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const mtimeMs = Math.trunc(stat.mtimeMs);
    if (imageByHash.get(hash)) return { kind: 'known', hash, size: stat.size, mtimeMs };
    try {
      const image = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' });
      const metadata = await image.metadata();
      const thumbnail = await image
        .rotate()
        .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 80, mozjpeg: false })
        .toBuffer();
      const file = thumbnailPath(projectPath, hash);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, thumbnail);
      const upright = (metadata.orientation ?? 1) >= 5;
      return {
        kind: 'new',
        hash,
        size: stat.size,
        mtimeMs,
        width: (upright ? metadata.height : metadata.width) ?? 0,
        height: (upright ? metadata.width : metadata.height) ?? 0,
        format: metadata.format ?? path.extname(candidate.path).slice(1).toLowerCase(),
      };
    } catch (error) {
      return { kind: 'problem', reason: describeDecodeError(error, bytes) };
    }
  };

  const record = db.transaction((batch: { candidate: Candidate; outcome: Processed }[]) => {
    const seenAt = new Date().toISOString();
    for (const { candidate, outcome } of batch) {
      const folder = path.dirname(candidate.path);
      const name = path.basename(candidate.path);
      if (outcome.kind === 'unchanged') {
        markPresent.run(candidate.path);
        result.unchanged++;
        continue;
      }
      if (outcome.kind === 'problem') {
        recordProblem.run(candidate.path, outcome.reason, seenAt);
        result.problems.push({ path: candidate.path, reason: outcome.reason });
        continue;
      }
      clearProblem.run(candidate.path);
      let imageId = (imageByHash.get(outcome.hash) as { id: number } | undefined)?.id;
      if (imageId === undefined && outcome.kind === 'new') {
        const fromFolders = params.folderLabels ? labelFromFolders(path.relative(candidate.root, candidate.path)) : { label: null, split: null };
        const split: Split = fromFolders.split ?? autoSplit(outcome.hash, seed, ratios);
        const label = fromFolders.label ? classId(fromFolders.label) : null;
        if (label !== null) result.labelled++;
        imageId = Number(
          insertImage.run({
            hash: outcome.hash,
            name,
            width: outcome.width,
            height: outcome.height,
            format: outcome.format,
            bytes: outcome.size,
            addedAt: seenAt,
            classId: label,
            labelledAt: label === null ? null : seenAt,
            split,
            splitSource: fromFolders.split ? 'folder' : 'auto',
          }).lastInsertRowid,
        );
        result.added++;
      } else {
        result.newPaths++;
      }
      upsertPath.run(candidate.path, imageId, folder, name, outcome.size, outcome.mtimeMs);
    }
  });

  let done = 0;
  for (let start = 0; start < candidates.length; start += BATCH) {
    throwIfCancelled(context.signal);
    const slice = candidates.slice(start, start + BATCH);
    const outcomes: Processed[] = new Array(slice.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, slice.length) }, async () => {
        while (next < slice.length) {
          const index = next++;
          outcomes[index] = await examine(slice[index]);
          done++;
          context.progress(done, candidates.length, 'photos', `${result.added} new, ${result.problems.length} with problems`);
        }
      }),
    );
    record(slice.map((candidate, i) => ({ candidate, outcome: outcomes[i] })));
  }

  // Paths under the imported folders that were not found again are flagged, never dropped:
  // their labels stay with the image, which may still exist elsewhere.
  const seen = new Set(candidates.map((c) => c.path));
  const flagMissing = db.prepare('UPDATE image_paths SET missing = 1 WHERE path = ?');
  db.transaction(() => {
    for (const root of roots) {
      const rows = db.prepare(`SELECT path FROM image_paths WHERE (folder = ? OR folder LIKE ? ESCAPE '\\') AND missing = 0`).all(root, `${escapeLike(root + path.sep)}%`) as { path: string }[];
      for (const row of rows) {
        if (!seen.has(row.path)) {
          flagMissing.run(row.path);
          result.missing++;
        }
      }
    }
  })();
  context.progress(done, candidates.length, 'photos', `${result.added} new, ${result.problems.length} with problems`);
  return result;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
