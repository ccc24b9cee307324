/**
 * Backbone features of photos, cached by content hash + backbone + preprocessing, so that
 * retraining and suggesting after relabelling cost seconds, not minutes.
 */
import type { Sqlite } from './sqlite';

export class FeatureStore {
  constructor(private readonly db: Sqlite) {}

  /** The cached vectors of these photos (those the cache has). */
  get(hashes: Iterable<string>, backbone: string, preprocessing: string): Map<string, Float32Array> {
    const read = this.db.prepare('SELECT vector FROM features WHERE hash = ? AND backbone = ? AND preprocessing = ?').pluck();
    const vectors = new Map<string, Float32Array>();
    for (const hash of hashes) {
      const blob = read.get(hash, backbone, preprocessing) as Buffer | undefined;
      // A copy: the Float32Array must be aligned and outlive the statement's buffer.
      if (blob) vectors.set(hash, new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)));
    }
    return vectors;
  }

  put(entries: Iterable<{ hash: string; vector: Float32Array }>, backbone: string, preprocessing: string): void {
    const store = this.db.prepare('INSERT OR REPLACE INTO features (hash, backbone, preprocessing, vector) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const { hash, vector } of entries) store.run(hash, backbone, preprocessing, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
    })();
  }
}
