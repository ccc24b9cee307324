/**
 * Backbone features of photos, cached in the project by content hash + backbone + preprocessing,
 * so that retraining and suggesting after relabelling cost seconds, not minutes.
 */
import fs from 'node:fs';
import type { Sqlite } from '../../node/data/sqlite';
import { throwIfCancelled, type JobContext } from '../../shared/jobs/jobContext';
import * as ort from 'onnxruntime-node';
import { pixelScaling, type Backbone } from '../../shared/catalogue';
import { loadBackboneModel, loadFeatureExtractor } from './featureExtractor';
import { requireBackbone } from '../../node/models/modelStore';
import { ONNX_INPUT, TRUNK_OUTPUT, trunkToOnnx, UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { photoPixels, PREPROCESSING_VERSION, type CropMode } from './photoPixels';
import { tf } from './tensorflow';

const EXTRACT_BATCH = 16;

interface FeatureEngine {
  /** Feature vectors, row after row, of `count` photos given as NHWC pixels 0–255. */
  extract(pixels: Buffer, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * The backbone up to its features in onnxruntime (Graft's converter), about five times faster
 * than TensorFlow.js on wasm here; TensorFlow.js for an imported backbone the converter cannot take.
 */
async function featureEngine(backbone: Backbone): Promise<FeatureEngine> {
  const size = backbone.inputSize;
  if (backbone.format === 'graph') return tfjsFeatureEngine(backbone);
  const full = await loadBackboneModel(backbone);
  try {
    const session = await ort.InferenceSession.create(trunkToOnnx(full, backbone.featureLayer, size, pixelScaling(backbone.preprocessing), backbone.pool));
    return {
      async extract(pixels, count) {
        const output = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', Float32Array.from(pixels), [count, size, size, 3]) });
        return output[TRUNK_OUTPUT].data as Float32Array;
      },
      dispose: () => session.release(),
    };
  } catch (error) {
    if (!(error instanceof UnsupportedByOnnx)) throw error;
    return tfjsFeatureEngine(backbone);
  } finally {
    full.dispose();
  }
}

async function tfjsFeatureEngine(backbone: Backbone): Promise<FeatureEngine> {
  const extractor = await loadFeatureExtractor(backbone);
  const size = backbone.inputSize;
  return {
    async extract(pixels, count) {
      const output = tf.tidy(() => extractor.predict(tf.cast(tf.tensor4d(pixels, [count, size, size, 3], 'int32'), 'float32') as tf.Tensor4D));
      const data = (await output.data()) as Float32Array;
      output.dispose();
      return data;
    },
    dispose: async () => extractor.dispose(),
  };
}

export interface PhotoFile {
  hash: string;
  /** A present file of the photo; null when every known path is gone. */
  path: string | null;
}

/** Features for every photo, computed for those the cache lacks; photos that cannot be read are left out. */
export async function cachedFeatures(
  db: Sqlite,
  photos: PhotoFile[],
  backboneId: string,
  crop: CropMode,
  context: JobContext,
): Promise<{ vectors: Map<string, Float32Array>; unreadable: string[]; computed: number }> {
  const preprocessing = `${crop}-v${PREPROCESSING_VERSION}`;
  const cached = db.prepare('SELECT vector FROM features WHERE hash = ? AND backbone = ? AND preprocessing = ?');
  const store = db.prepare('INSERT OR REPLACE INTO features (hash, backbone, preprocessing, vector) VALUES (?, ?, ?, ?)');
  const vectors = new Map<string, Float32Array>();
  const missing: PhotoFile[] = [];
  for (const photo of photos) {
    const row = cached.get(photo.hash, backboneId, preprocessing) as { vector: Buffer } | undefined;
    if (row) vectors.set(photo.hash, new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength)));
    else missing.push(photo);
  }
  const unreadable: string[] = [];
  if (!missing.length) return { vectors, unreadable, computed: 0 };

  const backbone = requireBackbone(backboneId);
  const engine = await featureEngine(backbone);
  const size = backbone.inputSize;
  /** Decodes a batch of photos (sharp, on libuv's threads); unreadable ones are noted and left out. */
  const decode = async (start: number) => {
    const batch: { photo: PhotoFile; pixels: Buffer }[] = [];
    await Promise.all(
      missing.slice(start, start + EXTRACT_BATCH).map(async (photo) => {
        if (!photo.path || !fs.existsSync(photo.path)) return void unreadable.push(photo.path ?? photo.hash);
        try {
          batch.push({ photo, pixels: await photoPixels(photo.path, size, crop) });
        } catch {
          unreadable.push(photo.path);
        }
      }),
    );
    return batch;
  };
  let done = 0;
  try {
    // The next batch decodes while the network runs on this one.
    let next: Promise<{ photo: PhotoFile; pixels: Buffer }[]> | null = decode(0);
    for (let start = 0; next; start += EXTRACT_BATCH) {
      const batch = await next;
      throwIfCancelled(context.signal);
      next = start + EXTRACT_BATCH < missing.length ? decode(start + EXTRACT_BATCH) : null;
      if (batch.length) {
        const data = await engine.extract(Buffer.concat(batch.map((b) => b.pixels)), batch.length);
        const width = data.length / batch.length;
        db.transaction(() => {
          batch.forEach(({ photo }, i) => {
            const vector = data.slice(i * width, (i + 1) * width);
            vectors.set(photo.hash, vector);
            store.run(photo.hash, backboneId, preprocessing, Buffer.from(vector.buffer));
          });
        })();
      }
      done += Math.min(EXTRACT_BATCH, missing.length - start);
      context.progress(done, missing.length, 'photos', `Reading photos with ${backbone.title}`);
    }
  } finally {
    await engine.dispose();
  }
  return { vectors, unreadable, computed: done - unreadable.length };
}

