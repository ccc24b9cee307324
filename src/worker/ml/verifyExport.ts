/**
 * Proves an export: the exported ONNX and TensorFlow.js files (those it has), loaded from disk as
 * a user would load them, run on the run's test photos, and must give what Graft recorded for those photos
 * when it evaluated the run — the same best class, and the same probability for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult } from '../../shared/api/classify';
import type { RunStore } from '../../node/data/runStore';
import { photoPixels } from '../../node/photos/decode';
import { ONNX_INPUT, ONNX_OUTPUT } from '../onnx/kerasToOnnx';
import { photoBatches } from '../pipeline/photoBatches';
import { onnxPixelModel, tfjsPixelModel, type PixelModel } from '../pipeline/pixelModel';
import type { ClassifierModel } from './classifierModel';
import { ONNX_FILE } from './exportClassifier';
import { loadLayersModelFolder } from './featureExtractor';
import type { tf } from './tensorflow';

const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);

export async function verifyExport(runs: RunStore, model: ClassifierModel, folder: string, limit: number, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<ExportResult['verification']> {
  const classIds = runs.transferRun(model.runId).classes.map((c) => c.id);
  const recorded = runs
    .recordedPredictions(model.runId)
    .filter((r) => fs.existsSync(r.path))
    .slice(0, limit);
  const size = model.backbone.inputSize;
  const classes = model.labels.length;
  const onnxFile = path.join(folder, ONNX_FILE);
  const tfjsFolder = path.join(folder, 'tfjs');
  const onnx: PixelModel | null = fs.existsSync(onnxFile) ? await onnxPixelModel(onnxFile, { input: ONNX_INPUT, output: ONNX_OUTPUT }, size) : null;
  let tfjs: PixelModel | null = null;
  if (fs.existsSync(tfjsFolder)) {
    const exported = await loadLayersModelFolder(tfjsFolder);
    tfjs = await tfjsPixelModel({ predict: (pixels) => exported.predict(pixels) as tf.Tensor, dispose: () => exported.dispose() }, size);
  }
  const result = { photos: 0, onnxAgree: onnx ? 0 : null, tfjsAgree: tfjs ? 0 : null, maxDifference: 0 };
  // Both exported files see the same decoded photos: the pipeline runs the first on the batch, then the other runs on it.
  const [first, second] = [tfjs, onnx].filter((m): m is PixelModel => m !== null);
  if (!first) throw new Error(`The export in ${folder} has neither an ONNX nor a TensorFlow.js model.`);
  try {
    const load = async (r: (typeof recorded)[number]) => {
      const pixels = await photoPixels(r.path, size, model.crop);
      return { pixels, data: pixels };
    };
    for await (const batch of photoBatches(recorded, load, first, { batchSize: 16, ahead: 32, signal })) {
      const secondRows = second ? await second.run(batch.map((b) => b.data)) : null;
      batch.forEach(({ item, output }, i) => {
        const rowOf = new Map<PixelModel, ArrayLike<number>>([[first, output!]]);
        if (second) rowOf.set(second, secondRows!.subarray(i * classes, (i + 1) * classes));
        const predicted = classIds.indexOf(item.predictedClassId);
        const agrees = (format: PixelModel) => {
          const row = rowOf.get(format)!;
          result.maxDifference = Math.max(result.maxDifference, Math.abs(row[predicted] - item.confidence));
          return argmax(row) === predicted;
        };
        if (tfjs && agrees(tfjs)) result.tfjsAgree = (result.tfjsAgree ?? 0) + 1;
        if (onnx && agrees(onnx)) result.onnxAgree = (result.onnxAgree ?? 0) + 1;
      });
      result.photos += batch.length;
      onProgress(result.photos, recorded.length);
    }
  } finally {
    await onnx?.release();
    await tfjs?.release();
  }
  return result;
}
