/**
 * Classifies photo files through the photo pipeline: each file is checked, hashed and decoded a
 * few files ahead while the model runs on the batch before, and each batch's results are handed
 * to a sink before the next, so memory stays flat however large the library and a stopped job
 * keeps everything done so far. Files the sink already has, unchanged, are skipped (that is how a
 * job resumes); content already classified at another path is reused.
 */
import type { ClassifyResult } from '../../shared/api/classify';
import type { JobContext } from '../../shared/jobs/jobContext';
import type { PhotoOutcome, ResultSink, TopGuesses } from '../../node/results/resultSink';
import { decodeSide, modelPixels, uprightRgb } from '../../node/photos/decode';
import { describeDecodeError } from '../../node/photos/imageFiles';
import { readPhoto, statPhoto } from '../../node/photos/photoFile';
import type { Classifier } from '../ml/classifier';
import { photoBatches } from '../pipeline/photoBatches';
import type { Problem } from '../pipeline/walkFiles';

const BATCH = 16;
const MAX_PROBLEMS_LISTED = 100;

type Prepared = { kind: 'unchanged' } | { kind: 'done'; outcome: PhotoOutcome; reused: boolean } | { kind: 'decoded'; outcome: PhotoOutcome };

export function topGuesses(probabilities: ArrayLike<number>, k: number): TopGuesses {
  return Array.from(probabilities, (p, i) => [i, p] as [number, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

export type ClassifyCounts = Omit<ClassifyResult, 'classifierId'>;

/** Classifies `files` (already found; `problems` met while finding them are reported with the rest). */
export async function classifyFiles(files: string[], problems: Problem[], classifier: Classifier, sink: ResultSink, options: { topK: number; context: JobContext }): Promise<ClassifyCounts> {
  const { context, topK } = options;
  const started = Date.now();
  const size = classifier.model.inputSize;
  const side = decodeSide(size);
  const listed = [...problems];
  const stats = { classified: 0, reused: 0, unchanged: 0, failed: 0 };

  const load = async (file: string): Promise<{ pixels: Buffer | null; data: Prepared }> => {
    const failed = (outcome: PhotoOutcome, error: string) => ({ pixels: null, data: { kind: 'done' as const, reused: false, outcome: { ...outcome, error } } });
    const stat = await statPhoto(file);
    if ('reason' in stat) return failed({ path: file, size: 0, mtimeMs: 0, hash: null, top: null, error: null }, stat.reason);
    if (sink.hasUnchanged(file, stat.stat.size, stat.stat.mtimeMs)) return { pixels: null, data: { kind: 'unchanged' } };
    const outcome: PhotoOutcome = { path: file, size: stat.stat.size, mtimeMs: stat.stat.mtimeMs, hash: null, top: null, error: null };
    const read = await readPhoto(file);
    if (!read.ok) return failed(outcome, read.reason);
    outcome.hash = read.hash;
    const known = sink.byHash(read.hash);
    try {
      if (known) return { pixels: null, data: { kind: 'done', reused: true, outcome: { ...outcome, top: known } } };
      return { pixels: await modelPixels(await uprightRgb(read.bytes ?? file, side), size, classifier.crop), data: { kind: 'decoded', outcome } };
    } catch (error) {
      return failed(outcome, describeDecodeError(error, read.bytes ?? undefined));
    } finally {
      read.release();
    }
  };

  let done = 0;
  context.progress(0, files.length, 'photos', 'Classifying');
  for await (const batch of photoBatches(files, load, classifier.model, { batchSize: BATCH, ahead: 2 * BATCH, signal: context.signal })) {
    const outcomes: PhotoOutcome[] = [];
    for (const { data, output } of batch) {
      if (data.kind === 'unchanged') {
        stats.unchanged++;
        continue;
      }
      if (data.kind === 'decoded') data.outcome.top = topGuesses(output!, topK);
      outcomes.push(data.outcome);
      if (data.outcome.error) {
        stats.failed++;
        if (listed.length < MAX_PROBLEMS_LISTED) listed.push({ path: data.outcome.path, reason: data.outcome.error });
      } else if (data.kind === 'done' && data.reused) stats.reused++;
      else stats.classified++;
    }
    sink.write(outcomes);
    done += batch.length;
    context.progress(done, files.length, 'photos', `${stats.classified} classified · ${stats.unchanged} already done · ${stats.failed} unreadable`);
  }
  const seconds = (Date.now() - started) / 1000;
  const looked = stats.classified + stats.reused;
  return { found: files.length, ...stats, seconds, photosPerSecond: seconds > 0 ? looked / seconds : 0, engine: classifier.model.engine, problems: listed };
}
