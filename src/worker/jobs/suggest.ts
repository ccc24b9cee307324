/**
 * The suggest job: a trained transfer model guesses the class of every unlabelled photo. The
 * guesses become suggestions the user accepts one by one or in bulk, and their margins order the
 * "label next" queue (least sure first), where a person's label teaches the model the most.
 */
import type { SuggestResult } from '../../shared/api/contract';
import { engineForRun } from '../ml/classifierEngine';
import { openProjectDatabase } from '../../node/data/project';
import type { Sqlite } from '../../node/data/sqlite';
import { photoPixels } from '../ml/photoPixels';
import { cachedFeatures } from '../ml/featureCache';
import { Head, type HeadConfig } from '../ml/head';
import type { SavedWeights } from '../ml/parameterModel';
import { TrainParams } from '../../shared/api/contract';
import { initTensorflow, tf } from '../ml/tensorflow';
import { throwIfCancelled, type JobContext } from '../../shared/jobs/jobContext';

interface RunRow {
  id: number;
  backbone: string;
  config: string;
  classes: string;
  head: Buffer;
  fineTuned: 0 | 1;
}

/** A fine-tuned run's backbone differs from the cached features': its photos go through the whole model. */
async function probabilitiesThroughModel(db: Sqlite, runId: number, photos: { hash: string; path: string | null }[], context: JobContext) {
  const engine = await engineForRun(db, runId);
  const size = engine.inputSize;
  const probabilities = new Map<string, number[]>();
  const unreadable: string[] = [];
  try {
    for (let start = 0; start < photos.length; start += 16) {
      throwIfCancelled(context.signal);
      const batch: { hash: string; pixels: Buffer }[] = [];
      await Promise.all(
        photos.slice(start, start + 16).map(async (photo) => {
          try {
            batch.push({ hash: photo.hash, pixels: await photoPixels(photo.path ?? '', size, engine.crop) });
          } catch {
            unreadable.push(photo.path ?? photo.hash);
          }
        }),
      );
      if (batch.length) {
        const pixels = new Float32Array(batch.length * size * size * 3);
        batch.forEach((b, i) => pixels.set(b.pixels, i * size * size * 3));
        const output = await engine.probabilities(pixels, batch.length);
        const classes = engine.labels.length;
        batch.forEach((b, i) => probabilities.set(b.hash, Array.from(output.subarray(i * classes, (i + 1) * classes))));
      }
      context.progress(Math.min(start + 16, photos.length), photos.length, 'photos', 'Reading photos');
    }
  } finally {
    await engine.release();
  }
  return { probabilities, unreadable };
}

export async function suggest(params: { runId?: number }, projectPath: string, context: JobContext): Promise<SuggestResult> {
  await initTensorflow();
  const db = openProjectDatabase(projectPath);
  try {
    const run = (
      params.runId === undefined
        ? db.prepare(`SELECT id, backbone, config, classes, head, fine_tuned IS NOT NULL AS fineTuned FROM runs WHERE kind = 'transfer' ORDER BY id DESC LIMIT 1`).get()
        : db.prepare(`SELECT id, backbone, config, classes, head, fine_tuned IS NOT NULL AS fineTuned FROM runs WHERE id = ? AND kind = 'transfer'`).get(params.runId)
    ) as RunRow | undefined;
    if (!run) throw new Error(params.runId === undefined ? 'Train a model first (suggestions come from a transfer-learning run).' : `Run ${params.runId} is not a transfer-learning run of this project.`);
    const config = TrainParams.parse(JSON.parse(run.config));
    const classes = JSON.parse(run.classes) as { id: number }[];
    const existing = new Set((db.prepare('SELECT id FROM classes').all() as { id: number }[]).map((c) => c.id));
    const photos = db
      .prepare(
        `SELECT i.id, i.hash, (SELECT path FROM image_paths p WHERE p.image_id = i.id AND p.missing = 0 ORDER BY p.path LIMIT 1) AS path
         FROM images i WHERE i.class_id IS NULL ORDER BY i.id`,
      )
      .all() as { id: number; hash: string; path: string | null }[];

    const started = Date.now();
    let usable: typeof photos;
    let probabilities: number[][];
    let unreadable: number;
    if (run.fineTuned) {
      const through = await probabilitiesThroughModel(db, run.id, photos, context);
      usable = photos.filter((p) => through.probabilities.has(p.hash));
      probabilities = usable.map((p) => through.probabilities.get(p.hash)!);
      unreadable = through.unreadable.length;
    } else {
      const extracted = await cachedFeatures(db, photos, run.backbone, config.crop, context);
      throwIfCancelled(context.signal);
      usable = photos.filter((p) => extracted.vectors.has(p.hash));
      const head = Head.fromJSON(JSON.parse(run.head.toString('utf8')) as SavedWeights<HeadConfig>);
      const width = head.config.inputSize;
      const rows = new Float32Array(usable.length * width);
      usable.forEach((p, i) => rows.set(extracted.vectors.get(p.hash)!, i * width));
      const features = tf.tensor2d(rows, [usable.length, width]);
      probabilities = usable.length ? await head.predict(features) : [];
      features.dispose();
      head.dispose();
      unreadable = extracted.unreadable.length;
    }

    const store = db.prepare('INSERT INTO suggestions (image_id, run_id, class_id, confidence, margin) VALUES (?, ?, ?, ?, ?)');
    let suggested = 0;
    db.transaction(() => {
      db.prepare('DELETE FROM suggestions').run();
      usable.forEach((photo, i) => {
        const p = probabilities[i];
        const order = p.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
        const classId = classes[order[0][1]].id;
        if (!existing.has(classId)) return; // the class was deleted since training
        store.run(photo.id, run.id, classId, order[0][0], order[0][0] - (order[1]?.[0] ?? 0));
        suggested++;
      });
    })();
    return { runId: run.id, suggested, unreadable, seconds: (Date.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
