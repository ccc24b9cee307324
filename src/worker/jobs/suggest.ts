/**
 * The suggest job: a trained transfer model guesses the class of every unlabelled photo. The
 * guesses become suggestions the user accepts one by one or in bulk, and their margins order the
 * "label next" queue (least sure first), where a person's label teaches the model the most.
 */
import type { SuggestResult } from '../../shared/api/training';
import type { JobParams } from '../../shared/jobs/registry';
import type { PhotoFile } from '../../node/data/libraryStore';
import type { Suggestion } from '../../node/data/suggestionStore';
import type { TransferRun } from '../../node/data/runStore';
import { requireBackbone } from '../../node/models/modelStore';
import { photoPixels } from '../../node/photos/decode';
import { classifierForRun } from '../ml/classifier';
import { cachedFeatures } from '../ml/features';
import { Head } from '../ml/head';
import { initTensorflow, tf } from '../ml/tensorflow';
import { photoBatches } from '../pipeline/photoBatches';
import type { ProjectJobEnvironment } from './jobEnvironment';

interface Guesses {
  /** Class probabilities by content hash, for the photos that could be read. */
  probabilities: Map<string, Float32Array>;
  unreadable: number;
}

/** The head on cached (or newly computed) backbone features: the usual case, fast after training. */
async function throughHead(env: ProjectJobEnvironment, run: TransferRun, photos: PhotoFile[]): Promise<Guesses> {
  const extracted = await cachedFeatures(env.project.stores.features, photos, requireBackbone(run.backbone), run.config.crop, env);
  env.signal.throwIfAborted();
  const usable = photos.filter((p) => extracted.vectors.has(p.hash));
  const probabilities = new Map<string, Float32Array>();
  if (usable.length) {
    const head = Head.fromJSON(run.head);
    const width = head.config.inputSize;
    const rows = new Float32Array(usable.length * width);
    usable.forEach((p, i) => rows.set(extracted.vectors.get(p.hash)!, i * width));
    const features = tf.tensor2d(rows, [usable.length, width]);
    (await head.predict(features)).forEach((p, i) => probabilities.set(usable[i].hash, Float32Array.from(p)));
    features.dispose();
    head.dispose();
  }
  return { probabilities, unreadable: extracted.unreadable.length };
}

/** A fine-tuned run's backbone differs from the cached features': its photos go through the whole model. */
async function throughModel(env: ProjectJobEnvironment, run: TransferRun, photos: PhotoFile[]): Promise<Guesses> {
  const classifier = await classifierForRun(env.project.stores.runs, run.id);
  const size = classifier.model.inputSize;
  const probabilities = new Map<string, Float32Array>();
  let unreadable = 0;
  let done = 0;
  const load = async (photo: PhotoFile) => ({ pixels: photo.path ? await photoPixels(photo.path, size, classifier.crop).catch(() => null) : null, data: null });
  try {
    for await (const batch of photoBatches(photos, load, classifier.model, { batchSize: 16, ahead: 32, signal: env.signal })) {
      for (const { item, output } of batch) {
        if (output) probabilities.set(item.hash, output.slice());
        else unreadable++;
      }
      done += batch.length;
      env.progress(done, photos.length, 'photos', 'Looking at the unlabelled photos');
    }
  } finally {
    await classifier.model.release();
  }
  return { probabilities, unreadable };
}

export async function suggest(params: JobParams<'suggest'>, env: ProjectJobEnvironment): Promise<SuggestResult> {
  await initTensorflow();
  const { stores } = env.project;
  const runId = params.runId ?? stores.runs.bestTransferId();
  if (runId === null) throw new Error('Train a model first (suggestions come from a transfer-learning run).');
  const run = stores.runs.transferRun(runId);
  const photos = stores.library.unlabelledPhotos();
  const started = Date.now();
  const guesses = run.fineTuned ? await throughModel(env, run, photos) : await throughHead(env, run, photos);
  const existing = new Set(stores.library.classes().map((c) => c.id));
  const suggestions: Suggestion[] = [];
  for (const photo of photos) {
    const p = guesses.probabilities.get(photo.hash);
    if (!p) continue;
    const order = Array.from(p, (v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
    const classId = run.classes[order[0][1]].id;
    if (!existing.has(classId)) continue; // the class was deleted since training
    suggestions.push({ imageId: photo.id, runId: run.id, classId, confidence: order[0][0], margin: order[0][0] - (order[1]?.[0] ?? 0) });
  }
  stores.suggestions.replaceAll(suggestions);
  return { runId: run.id, suggested: suggestions.length, unreadable: guesses.unreadable, seconds: (Date.now() - started) / 1000 };
}
