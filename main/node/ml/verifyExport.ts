/**
 * Proves an export: the exported ONNX and TensorFlow.js files, loaded from disk as a user would,
 * run on the run's test photos, and must give what Graft's own pipeline (backbone features +
 * head, the way the run was evaluated) gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExportResult } from '../../../preload/common/classifyContract';
import type { Sqlite } from '../db/sqlite';
import type { ClassifierModel } from './classifierModel';
import { ONNX_FILE } from './exportClassifier';
import { loadFeatureExtractor, loadLayersModelFolder } from './featureExtractor';
import { Head } from './head';
import { ONNX_INPUT, ONNX_OUTPUT } from './onnx/kerasToOnnx';
import { photoPixels } from './photoPixels';
import { tf } from './tensorflow';

const BATCH = 16;

/** Test photos of the run that are still on disk, up to `limit`. */
function testPhotos(db: Sqlite, runId: number, limit: number): string[] {
  return (
    db
      .prepare(
        `SELECT (SELECT path FROM image_paths p WHERE p.image_id = r.image_id AND p.missing = 0 ORDER BY p.path LIMIT 1) AS path
         FROM run_predictions r WHERE r.run_id = ? ORDER BY r.image_id`,
      )
      .pluck()
      .all(runId) as (string | null)[]
  )
    .filter((p): p is string => p !== null && fs.existsSync(p))
    .slice(0, limit);
}

const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);

export async function verifyExport(db: Sqlite, model: ClassifierModel, folder: string, limit: number, onProgress: (done: number, total: number) => void): Promise<ExportResult['verification']> {
  const photos = testPhotos(db, model.runId, limit);
  const size = model.backbone.inputSize;
  const classes = model.labels.length;
  const onnxFile = path.join(folder, ONNX_FILE);
  const session = fs.existsSync(onnxFile) ? await ort.InferenceSession.create(onnxFile) : null;
  const exported = await loadLayersModelFolder(path.join(folder, 'tfjs'));
  const extractor = await loadFeatureExtractor(model.backbone);
  const head = Head.fromJSON(model.head);
  const result = { photos: 0, onnxAgree: session ? 0 : null, tfjsAgree: 0, maxDifference: 0 };
  try {
    for (let start = 0; start < photos.length; start += BATCH) {
      const batch = photos.slice(start, start + BATCH);
      const pixels = new Float32Array(batch.length * size * size * 3);
      for (const [i, p] of batch.entries()) pixels.set(await photoPixels(p, size, model.crop), i * size * size * 3);
      const onnx = session ? ((await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [batch.length, size, size, 3]) }))[ONNX_OUTPUT].data as Float32Array) : null;
      const input = tf.tensor4d(pixels, [batch.length, size, size, 3]);
      const tfjsOutput = exported.predict(input) as tf.Tensor;
      const tfjs = tfjsOutput.dataSync();
      // Graft's own pipeline: features as the feature cache computes them, then the head.
      const features = extractor.predict(input) as tf.Tensor;
      const graft = (await head.predict(features)).flat();
      tf.dispose([input, tfjsOutput, features]);
      for (let i = 0; i < batch.length; i++) {
        const row = (values: ArrayLike<number>) => Array.from(values).slice(i * classes, (i + 1) * classes);
        const [g, t] = [row(graft), row(tfjs)];
        if (argmax(t) === argmax(g)) result.tfjsAgree++;
        for (let c = 0; c < classes; c++) result.maxDifference = Math.max(result.maxDifference, Math.abs(t[c] - g[c]));
        if (onnx && result.onnxAgree !== null) {
          const o = row(onnx);
          if (argmax(o) === argmax(g)) result.onnxAgree++;
          for (let c = 0; c < classes; c++) result.maxDifference = Math.max(result.maxDifference, Math.abs(o[c] - g[c]));
        }
      }
      result.photos += batch.length;
      onProgress(result.photos, photos.length);
    }
  } finally {
    await session?.release();
    exported.dispose();
    extractor.dispose();
    head.dispose();
  }
  return result;
}
