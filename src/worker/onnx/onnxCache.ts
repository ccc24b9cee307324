/**
 * Graft's Keras→ONNX conversion of a backbone takes seconds (loading the weights into TensorFlow.js,
 * then writing the graph); the result only changes with the model's files and the converter. It is
 * kept on disk in the user's data folder, keyed by a hash of what it depends on, so a train or a
 * classification after the first starts at once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { userDataDir } from '../../node/paths';

/** Bump when the converter's output changes for the same model: older cached files are not used. */
export const CONVERTER_VERSION = 2;

function cacheDir(): string {
  return path.join(userDataDir(), 'cache', 'onnx');
}

/** A fingerprint of files: their names, sizes and modification times (their content is what they hold). */
function filesFingerprint(files: string[]): string {
  return files
    .map((file) => {
      const stat = fs.statSync(file);
      return `${file}:${stat.size}:${Math.trunc(stat.mtimeMs)}`;
    })
    .join('|');
}

/**
 * The ONNX model for `key`, built once. `files` are the model files it is made from (a change to
 * any of them makes a new one); `extra` anything else it depends on (a run's head weights).
 */
export async function cachedOnnx(key: string, files: string[], extra: string, build: () => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array> {
  const digest = createHash('sha256').update(`${CONVERTER_VERSION}\n${key}\n${filesFingerprint(files)}\n`).update(extra).digest('hex');
  const file = path.join(cacheDir(), `${key.replace(/[^a-z0-9_.-]+/gi, '_').slice(0, 60)}-${digest.slice(0, 24)}.onnx`);
  try {
    return fs.readFileSync(file);
  } catch {
    // not cached yet
  }
  const bytes = await build();
  try {
    fs.mkdirSync(cacheDir(), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, file);
  } catch {
    // A read-only data folder only means converting again next time.
  }
  return bytes;
}
