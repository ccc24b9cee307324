/**
 * Backbone features of photos, cached in the project by content hash + backbone + preprocessing,
 * so that retraining and suggesting after relabelling cost seconds, not minutes.
 */
import fs from 'node:fs';
import type { Sqlite } from '../db/sqlite';
import { throwIfCancelled, type JobContext } from '../worker/jobContext';
import { loadFeatureExtractor } from './featureExtractor';
import { requireBackbone } from './modelStore';
import { photoPixels, PREPROCESSING_VERSION, type CropMode } from './photoPixels';
import { tf } from './tensorflow';

const EXTRACT_BATCH = 16;

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
  const extractor = await loadFeatureExtractor(backbone);
  const size = backbone.inputSize;
  let done = 0;
  try {
    for (let start = 0; start < missing.length; start += EXTRACT_BATCH) {
      throwIfCancelled(context.signal);
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
      if (batch.length) {
        const output = tf.tidy(() => {
          const input = tf.tensor4d(Buffer.concat(batch.map((b) => b.pixels)), [batch.length, size, size, 3], 'int32');
          return (extractor.predict(tf.cast(input, 'float32')) as tf.Tensor).reshape([batch.length, -1]);
        });
        const data = (await output.data()) as Float32Array;
        output.dispose();
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
    extractor.dispose();
  }
  return { vectors, unreadable, computed: done - unreadable.length };
}

