/**
 * Classifies the photos under folder trees. Files stream through in small chunks — the next
 * chunk decodes (sharp, on libuv's threads) while the model runs on the current one — and each
 * chunk's results are handed to a sink before the next, so memory stays flat however large the
 * library and a stopped job keeps everything done so far. Files the sink already has, unchanged,
 * are skipped (that is how a job resumes); content already classified at another path is reused.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClassifyResult } from '../../shared/api/classify';
import { describeDecodeError, IMAGE_EXTENSIONS } from '../../node/photos/imageFiles';
import { photoPixels } from '../ml/photoPixels';
import { throwIfCancelled, type JobContext } from '../../shared/jobs/jobContext';
import { describeFsError, walkFiles } from '../pipeline/walkFiles';
import type { ClassifierEngine } from '../ml/classifierEngine';
import type { PhotoOutcome, ResultSink, TopGuesses } from '../../node/results/resultSink';

const CHUNK = 16;
const MAX_PROBLEMS_LISTED = 100;

type Prepared = { kind: 'unchanged' } | { kind: 'done'; outcome: PhotoOutcome; reused: boolean } | { kind: 'decoded'; outcome: PhotoOutcome; pixels: Buffer };

export function topGuesses(probabilities: ArrayLike<number>, k: number): TopGuesses {
  return Array.from(probabilities, (p, i) => [i, p] as [number, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

/** The image files under the folders, sorted, and the problems met while looking. */
export function findPhotos(folders: string[], signal: AbortSignal): { files: string[]; problems: { path: string; reason: string }[] } {
  const files: string[] = [];
  const problems: { path: string; reason: string }[] = [];
  for (const folder of folders.map((f) => path.resolve(f))) {
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder.`);
    const walked = walkFiles(folder, signal);
    files.push(...walked.files.filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase())));
    problems.push(...walked.problems);
  }
  return { files: [...new Set(files)], problems };
}

export async function classifyFiles(
  folders: string[],
  engine: ClassifierEngine,
  sink: ResultSink,
  options: { topK: number; context: JobContext },
): Promise<Omit<ClassifyResult, 'classifierId'>> {
  const { context, topK } = options;
  context.progress(0, null, 'photos', 'Looking for photos');
  const found = findPhotos(folders, context.signal);
  const files = found.files;
  const problems = [...found.problems];
  const started = Date.now();
  const size = engine.inputSize;
  const stats = { classified: 0, reused: 0, unchanged: 0, failed: 0 };

  const prepare = async (file: string): Promise<Prepared> => {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch (error) {
      return { kind: 'done', reused: false, outcome: { path: file, size: 0, mtimeMs: 0, hash: null, top: null, error: describeFsError(error) } };
    }
    const mtimeMs = Math.trunc(stat.mtimeMs);
    if (sink.hasUnchanged(file, stat.size, mtimeMs)) return { kind: 'unchanged' };
    const outcome: PhotoOutcome = { path: file, size: stat.size, mtimeMs, hash: null, top: null, error: null };
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(file);
    } catch (error) {
      return { kind: 'done', reused: false, outcome: { ...outcome, error: describeFsError(error) } };
    }
    if (!bytes.length) return { kind: 'done', reused: false, outcome: { ...outcome, error: 'empty file (0 bytes)' } };
    outcome.hash = createHash('sha256').update(bytes).digest('hex');
    const known = sink.byHash(outcome.hash);
    if (known) return { kind: 'done', reused: true, outcome: { ...outcome, top: known } };
    try {
      return { kind: 'decoded', outcome, pixels: await photoPixels(bytes, size, engine.crop) };
    } catch (error) {
      return { kind: 'done', reused: false, outcome: { ...outcome, error: describeDecodeError(error, bytes) } };
    }
  };
  const prepareChunk = (start: number) => Promise.all(files.slice(start, start + CHUNK).map(prepare));

  let next: Promise<Prepared[]> | null = files.length ? prepareChunk(0) : null;
  for (let start = 0; next; start += CHUNK) {
    const prepared = await next;
    throwIfCancelled(context.signal);
    next = start + CHUNK < files.length ? prepareChunk(start + CHUNK) : null;
    const decoded = prepared.filter((p): p is Extract<Prepared, { kind: 'decoded' }> => p.kind === 'decoded');
    if (decoded.length) {
      const pixels = new Float32Array(decoded.length * size * size * 3);
      decoded.forEach((d, i) => pixels.set(d.pixels, i * size * size * 3));
      const probabilities = await engine.probabilities(pixels, decoded.length);
      const classes = engine.labels.length;
      decoded.forEach((d, i) => (d.outcome.top = topGuesses(probabilities.subarray(i * classes, (i + 1) * classes), topK)));
    }
    const outcomes: PhotoOutcome[] = [];
    for (const p of prepared) {
      if (p.kind === 'unchanged') {
        stats.unchanged++;
        continue;
      }
      outcomes.push(p.outcome);
      if (p.outcome.error) {
        stats.failed++;
        if (problems.length < MAX_PROBLEMS_LISTED) problems.push({ path: p.outcome.path, reason: p.outcome.error });
      } else if (p.kind === 'done' && p.reused) stats.reused++;
      else stats.classified++;
    }
    sink.write(outcomes);
    const done = Math.min(start + CHUNK, files.length);
    context.progress(done, files.length, 'photos', `${stats.classified} classified · ${stats.unchanged} already done · ${stats.failed} unreadable`);
  }
  const seconds = (Date.now() - started) / 1000;
  return { found: files.length, ...stats, seconds, photosPerSecond: seconds > 0 ? (stats.classified + stats.reused) / seconds : 0, engine: engine.engine, problems };
}
