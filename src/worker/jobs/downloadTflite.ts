/**
 * Downloads a backbone the catalogue lists as a TensorFlow Lite file: fetches the file (with
 * progress in bytes), checks its size and SHA-256 where the catalogue records them, converts it
 * into a TensorFlow.js layers model as `graft backbones --import file.tflite` does (tflite/), runs
 * it once, and places the folder — model, description, licence — under the catalogue's id, all at
 * once (written aside, then renamed). GRAFT_MODEL_MIRROR serves `<mirror>/tflite/<id>.tflite`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DownloadResult } from '../../shared/api/training';
import { pixelScaling, type Backbone, type TfliteBackbone } from '../../shared/catalogue';
import type { JobContext } from '../../shared/jobs/jobContext';
import { IMPORTED_DESCRIPTION, modelsDir } from '../../node/models/modelStore';
import { loadBackboneModel, loadFeatureExtractor } from '../ml/featureExtractor';
import { initTensorflow, tf } from '../ml/tensorflow';
import { writeTfliteAsLayersModel } from '../ml/tflite/importTflite';
import { cannotDownload, fetchBytes, licenceText, mirrored } from './modelDownload';

/** Where the catalogue records no size: the largest file taken (MediaPipe's large embedder is about 20 MB). */
const MAX_UNRECORDED_BYTES = 256 << 20;

/** Checks the file against the catalogue's record; says how it differs. */
function check(entry: TfliteBackbone, bytes: Buffer): DownloadResult['verifiedBy'] {
  const { bytes: expected, sha256 } = entry.source;
  if (expected !== null && bytes.length !== expected) throw new Error(`The download of ${entry.id} is damaged: it has ${bytes.length} bytes, where the published file has ${expected}.`);
  if (sha256 === null) return expected === null ? 'unchecked' : 'size';
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new Error(`The download of ${entry.id} is damaged: its SHA-256 is ${actual.slice(0, 12)}…, where the published file's is ${sha256.slice(0, 12)}….`);
  return 'sha256';
}

/** The converted model in `folder` as a backbone: its input size and its features, checked by running it once. */
async function describe(entry: TfliteBackbone, folder: string, featureLayer: string): Promise<Backbone> {
  const provisional: Backbone = {
    id: entry.id,
    title: entry.title,
    family: 'imported',
    format: 'layers',
    alpha: null,
    url: entry.source.url,
    inputSize: entry.inputSize,
    preprocessing: entry.preprocessing,
    featureLayer,
    pool: false,
    fineTuneFrom: null,
    featureSize: 0,
    licence: entry.licence,
  };
  const model = await loadBackboneModel(provisional, folder);
  try {
    const [, height, width, channels] = model.inputs[0].shape;
    if (channels !== 3 || height === null || height !== width) throw new Error(`${entry.id} takes input of shape ${JSON.stringify(model.inputs[0].shape)}; Graft needs square RGB photos.`);
    const shape = model.getLayer(featureLayer).outputShape as number[];
    const backbone = { ...provisional, inputSize: height, pool: shape.length === 4, featureSize: shape.at(-1)! };
    const extractor = await loadFeatureExtractor(backbone, folder);
    tf.tidy(() => extractor.predict(tf.zeros([1, backbone.inputSize, backbone.inputSize, 3]) as tf.Tensor4D));
    extractor.dispose();
    return backbone;
  } finally {
    model.dispose();
  }
}

export async function downloadTfliteBackbone(entry: TfliteBackbone, context: JobContext): Promise<DownloadResult> {
  const target = path.join(modelsDir(), entry.id);
  const already = { backbone: entry.id, folder: target, bytes: 0, alreadyPresent: true, verifiedBy: null, licence: entry.licence };
  if (fs.existsSync(path.join(target, IMPORTED_DESCRIPTION))) return already;
  const url = mirrored(`tflite/${entry.id}.tflite`) ?? entry.source.url;
  const partial = path.join(modelsDir(), `.${entry.id}.partial-${process.pid}`);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  try {
    context.progress(0, entry.source.bytes, 'bytes', `Fetching ${url}`);
    let bytes: Buffer;
    try {
      bytes = await fetchBytes(url, context.signal, entry.source.bytes ?? MAX_UNRECORDED_BYTES, (received, declared) =>
        context.progress(received, entry.source.bytes ?? declared, 'bytes', `Downloading ${entry.title}`),
      );
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw cannotDownload(`${entry.title} (${entry.id})`, url, target, error);
    }
    const verifiedBy = check(entry, bytes);
    context.signal.throwIfAborted();
    context.progress(bytes.length, bytes.length, 'bytes', `Converting ${entry.title} for Graft`);
    const file = path.join(partial, `${entry.id}.tflite`);
    fs.writeFileSync(file, bytes);
    await initTensorflow();
    const converted = writeTfliteAsLayersModel(file, partial, pixelScaling(entry.preprocessing));
    // The converted model is what Graft loads; the original is not kept twice.
    fs.rmSync(file);
    const backbone = await describe(entry, partial, converted.featureLayer);
    fs.writeFileSync(path.join(partial, IMPORTED_DESCRIPTION), JSON.stringify(backbone, null, 2) + '\n');
    const checked = verifiedBy === 'sha256' ? `Its SHA-256 (${createHash('sha256').update(bytes).digest('hex')}) matched the catalogue's.` : verifiedBy === 'size' ? 'Its size matched the catalogue’s.' : 'Graft has no size or checksum recorded for it.';
    fs.writeFileSync(path.join(partial, 'LICENSE.txt'), licenceText(entry.title, entry.licence, url, `${checked} Converted from TensorFlow Lite by Graft; described at ${entry.documentation}.`));
    context.signal.throwIfAborted();
    fs.renameSync(partial, target);
    return { backbone: entry.id, folder: target, bytes: bytes.length, alreadyPresent: false, verifiedBy, licence: entry.licence };
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}
