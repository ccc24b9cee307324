/**
 * Backbone features of photos: from the project's cache (content hash + backbone + preprocessing)
 * when it has them, else computed through the photo pipeline — decoded a few photos ahead while
 * the backbone runs on the batch before — and cached as they come, so a stopped job keeps them.
 */
import { pixelScaling, type Backbone } from '../../shared/catalogue';
import type { JobContext } from '../../shared/jobs/jobContext';
import type { FeatureStore } from '../../node/data/featureStore';
import type { PhotoFile } from '../../node/data/libraryStore';
import { backboneFiles } from '../../node/models/modelStore';
import { decodeSide, modelPixels, PREPROCESSING_VERSION, uprightRgb, type CropMode } from '../../node/photos/decode';
import { describeDecodeError } from '../../node/photos/imageFiles';
import { cachedOnnx } from '../onnx/onnxCache';
import { ONNX_INPUT, TRUNK_OUTPUT, trunkToOnnx, UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { photoBatches } from '../pipeline/photoBatches';
import { onnxPixelModel, pixelModel, type PixelModel } from '../pipeline/pixelModel';
import { FEATURES_OUTPUT } from '../onnx/importedOnnx';
import { loadBackboneModel, loadFeatureExtractor } from './featureExtractor';
import { initTensorflow } from './tensorflow';

export const FEATURE_BATCH = 16;

/** The cache key of a crop mode's preprocessing. */
export function preprocessingKey(crop: CropMode): string {
  return `${crop}-v${PREPROCESSING_VERSION}`;
}

/**
 * The backbone from pixels to its (pooled) features: an imported ONNX model as stored; a layers
 * model converted to ONNX once and cached; TensorFlow.js when it cannot be.
 */
export function featureModel(backbone: Backbone): Promise<PixelModel> {
  if (backbone.format === 'onnx') return onnxPixelModel(backboneFiles(backbone)[0], { input: ONNX_INPUT, output: FEATURES_OUTPUT }, backbone.inputSize);
  return pixelModel(
    {
      onnx: async () => {
        if (backbone.format === 'graph') throw new UnsupportedByOnnx('Graft converts layers models to ONNX; this backbone is a graph model.');
        const model = await cachedOnnx(`features-${backbone.id}`, backboneFiles(backbone), `${backbone.featureLayer}:${backbone.pool}:${backbone.preprocessing}`, async () => {
          await initTensorflow(); // the weights are read with TensorFlow.js to be converted
          const full = await loadBackboneModel(backbone);
          try {
            return trunkToOnnx(full, backbone.featureLayer, backbone.inputSize, pixelScaling(backbone.preprocessing), backbone.pool);
          } finally {
            full.dispose();
          }
        });
        return { model, input: ONNX_INPUT, output: TRUNK_OUTPUT };
      },
      tfjs: async () => {
        await initTensorflow();
        return loadFeatureExtractor(backbone);
      },
    },
    backbone.inputSize,
  );
}

export interface ExtractedFeatures {
  vectors: Map<string, Float32Array>;
  unreadable: { path: string; reason: string }[];
  /** Photos whose features were computed now (the rest came from the cache). */
  computed: number;
  /** What computed them; null when everything came from the cache. */
  engine: string | null;
}

/** Features for every photo: cached ones read, the others computed and cached; unreadable photos are listed with the reason. */
export async function cachedFeatures(store: FeatureStore, photos: PhotoFile[], backbone: Backbone, crop: CropMode, context: JobContext, options: { recompute?: boolean } = {}): Promise<ExtractedFeatures> {
  const key = preprocessingKey(crop);
  // Recomputing (a timed comparison) reads nothing from the cache, and writes to it as usual.
  const vectors = options.recompute ? new Map<string, Float32Array>() : store.get(photos.map((p) => p.hash), backbone.id, key);
  const missing = photos.filter((p) => !vectors.has(p.hash));
  const unreadable: { path: string; reason: string }[] = [];
  if (!missing.length) return { vectors, unreadable, computed: 0, engine: null };
  // The network loads while the first photos decode.
  const model = featureModel(backbone);
  model.catch(() => {}); // its failure fails the first batch, below
  const side = decodeSide(backbone.inputSize);
  let done = 0;
  try {
    const load = async (photo: PhotoFile) => {
      if (!photo.path) return { pixels: null, data: 'every file of this photo is missing' };
      try {
        return { pixels: await modelPixels(await uprightRgb(photo.path, side), backbone.inputSize, crop), data: null };
      } catch (error) {
        return { pixels: null, data: describeDecodeError(error) };
      }
    };
    for await (const batch of photoBatches(missing, load, model, { batchSize: FEATURE_BATCH, ahead: 2 * FEATURE_BATCH, signal: context.signal })) {
      const computed: { hash: string; vector: Float32Array }[] = [];
      for (const { item, data: problem, output } of batch) {
        if (output) {
          const vector = output.slice();
          vectors.set(item.hash, vector);
          computed.push({ hash: item.hash, vector });
        } else unreadable.push({ path: item.path ?? item.hash, reason: problem ?? 'could not be read' });
      }
      store.put(computed, backbone.id, key);
      done += batch.length;
      context.progress(done, missing.length, 'photos', `Computing what ${backbone.title} sees in each photo`);
    }
  } finally {
    await (await model.catch(() => null))?.release();
  }
  return { vectors, unreadable, computed: missing.length - unreadable.length, engine: (await model).engine };
}
