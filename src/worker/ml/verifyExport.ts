/**
 * Proves an export: the exported ONNX and TensorFlow.js files, loaded from disk as a user would
 * load them, run on the run's test photos, and must give what Graft recorded for those photos
 * when it evaluated the run — the same best class, and the same probability for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExportResult } from '../../shared/api/classify';
import type { Sqlite } from '../../node/data/sqlite';
import type { ClassifierModel } from './classifierModel';
import { ONNX_FILE } from './exportClassifier';
import { loadLayersModelFolder } from './featureExtractor';
import { ONNX_INPUT, ONNX_OUTPUT } from '../onnx/kerasToOnnx';
import { photoPixels } from './photoPixels';
import { tf } from './tensorflow';

const BATCH = 16;

interface Recorded {
  path: string;
  /** Index of the class Graft predicted, in the model's output order, and its probability. */
  predicted: number;
  confidence: number;
}

/** The run's test photos still on disk, with what Graft predicted for them, up to `limit`. */
function recordedPredictions(db: Sqlite, runId: number, limit: number): Recorded[] {
  const classIds = (JSON.parse(db.prepare('SELECT classes FROM runs WHERE id = ?').pluck().get(runId) as string) as { id: number }[]).map((c) => c.id);
  const rows = db
    .prepare(
      `SELECT (SELECT path FROM image_paths p WHERE p.image_id = r.image_id AND p.missing = 0 ORDER BY p.path LIMIT 1) AS path, r.predicted, r.confidence
       FROM run_predictions r WHERE r.run_id = ? ORDER BY r.image_id`,
    )
    .all(runId) as { path: string | null; predicted: number; confidence: number }[];
  return rows
    .filter((r): r is { path: string; predicted: number; confidence: number } => r.path !== null && fs.existsSync(r.path))
    .slice(0, limit)
    .map((r) => ({ path: r.path, predicted: classIds.indexOf(r.predicted), confidence: r.confidence }));
}

const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);

export async function verifyExport(db: Sqlite, model: ClassifierModel, folder: string, limit: number, onProgress: (done: number, total: number) => void): Promise<ExportResult['verification']> {
  const recorded = recordedPredictions(db, model.runId, limit);
  const size = model.backbone.inputSize;
  const classes = model.labels.length;
  const onnxFile = path.join(folder, ONNX_FILE);
  const session = fs.existsSync(onnxFile) ? await ort.InferenceSession.create(onnxFile) : null;
  const exported = await loadLayersModelFolder(path.join(folder, 'tfjs'));
  const result = { photos: 0, onnxAgree: session ? 0 : null, tfjsAgree: 0, maxDifference: 0 };
  try {
    for (let start = 0; start < recorded.length; start += BATCH) {
      const batch = recorded.slice(start, start + BATCH);
      const pixels = new Float32Array(batch.length * size * size * 3);
      for (const [i, r] of batch.entries()) pixels.set(await photoPixels(r.path, size, model.crop), i * size * size * 3);
      const onnx = session ? ((await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [batch.length, size, size, 3]) }))[ONNX_OUTPUT].data as Float32Array) : null;
      const tfjs = tf.tidy(() => (exported.predict(tf.tensor4d(pixels, [batch.length, size, size, 3])) as tf.Tensor).dataSync());
      batch.forEach((r, i) => {
        const check = (output: ArrayLike<number>) => {
          const row = Array.from(output).slice(i * classes, (i + 1) * classes);
          result.maxDifference = Math.max(result.maxDifference, Math.abs(row[r.predicted] - r.confidence));
          return argmax(row) === r.predicted;
        };
        if (check(tfjs)) result.tfjsAgree++;
        if (onnx && result.onnxAgree !== null && check(onnx)) result.onnxAgree++;
      });
      result.photos += batch.length;
      onProgress(result.photos, recorded.length);
    }
  } finally {
    await session?.release();
    exported.dispose();
  }
  return result;
}
