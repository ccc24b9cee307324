/**
 * An ONNX image model (exported from PyTorch, from the ONNX model zoo, from TensorFlow through
 * tf2onnx) as a backbone. Graft reads the file (onnx/onnxModel.ts), finds its photo input and
 * layout (imageInput.ts), how it expects pixels (its metadata, else the person's choice — asked
 * for when neither says), and where its features are (featureValue.ts); runs the candidates once
 * on a grey photo in onnxruntime to see their shapes; then stores the model rewritten to take
 * Graft's pixels and give the features (onnx/importedOnnx.ts) as `model.onnx`, run once more to
 * prove it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { GraftError } from '../../../shared/api/errors';
import { describePreprocessing, pixelScaling, type Preprocessing } from '../../../shared/catalogue';
import { IMPORTED_ONNX } from '../../../node/models/modelStore';
import { ONNX_INPUT } from '../../onnx/kerasToOnnx';
import { adaptedModel, type Layout, type PixelAdapter, type WantedValue } from '../../onnx/importedOnnx';
import { readOnnx, type OnnxModel } from '../../onnx/onnxModel';
import { createSession } from '../../pipeline/computeDevice';
import { featureCandidates } from './featureValue';
import { imageInput } from './imageInput';
import { imageMetadata } from './imageMetadata';

/** onnxruntime runs operator sets from 7 on (its documented range); older models need re-exporting. */
const OLDEST_OPSET = 7;
/** Protocol Buffers cannot hold a message over 2 GiB: larger models keep weights in other files. */
const LARGEST_FILE = 2 ** 31 - 1;

export interface ImportedOnnx {
  inputSize: number;
  /** The model's value the features come from. */
  featureValue: string;
  pool: boolean;
  featureSize: number;
  preprocessing: { scaling: Preprocessing; from: 'metadata' | 'chosen' };
  /** What Graft read and decided, for people. */
  notes: string[];
}

/**
 * The .onnx file `source` names: itself, or the only .onnx in a folder without a model.json;
 * null when it names something else (a TensorFlow.js folder, a .tflite file or folder).
 */
export function onnxFile(source: string): string | null {
  if (/\.onnx$/i.test(source)) return source;
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory() || fs.existsSync(path.join(source, 'model.json'))) return null;
  const names = fs.readdirSync(source);
  const files = names.filter((name) => /\.onnx$/i.test(name));
  if (files.length > 1) throw new GraftError('invalid_request', `${source} holds ${files.length} ONNX models (${files.join(', ')}); choose one of the files.`);
  if (files.length === 1 && names.some((name) => /\.tflite$/i.test(name))) throw new GraftError('invalid_request', `${source} holds both an ONNX model (${files[0]}) and a TensorFlow Lite model; choose one of the files.`);
  return files.length === 1 ? path.join(source, files[0]) : null;
}

function readFile(file: string): Buffer {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new GraftError('invalid_request', `${file} is not a file: choose the .onnx file, or a folder holding one.`);
    if (stat.size > LARGEST_FILE) throw new GraftError('invalid_request', `${path.basename(file)} is larger than 2 GB, which one ONNX file cannot be; Graft imports models stored in one .onnx file.`);
    return fs.readFileSync(file);
  } catch (error) {
    if (error instanceof GraftError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GraftError('not_found', `${file} does not exist.`);
    throw new GraftError('not_found', `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/** The file's checks that do not depend on the photo input: operator set, weights in the file. */
function checkRunnable(model: OnnxModel): void {
  const opset = model.opsets.get('');
  if (opset !== undefined && opset < OLDEST_OPSET) throw new GraftError('invalid_request', `${model.file} uses ONNX operator set ${opset}; onnxruntime runs operator sets ${OLDEST_OPSET} and later: export it again with a newer exporter.`);
  const external = model.initializers.filter((t) => t.external);
  if (external.length) throw new GraftError('invalid_request', `${model.file} keeps ${external.length === 1 ? 'a weight' : `${external.length} weights`} (“${external[0].name}”${external.length > 1 ? '…' : ''}) in separate files (ONNX external data); Graft imports models stored in one .onnx file.`);
}

/** The pixels' scaling: from the metadata where it says, else the person's choice, else a question. */
function chooseScaling(model: OnnxModel, chosen: Preprocessing | undefined): { bgr: boolean; preprocessing: ImportedOnnx['preprocessing']; notes: string[] } {
  const metadata = imageMetadata(model);
  const notes: string[] = [];
  if (metadata.bgr) notes.push('It takes colour channels in the order blue, green, red, as its metadata says (Image.BitmapPixelFormat = Bgr8).');
  if (metadata.preprocessing) {
    notes.push(`Pixels: ${describePreprocessing(metadata.preprocessing)}, as its metadata says (${metadata.said.join('; ')}).`);
    if (chosen && chosen !== metadata.preprocessing) notes.push(`The preprocessing chosen (${chosen}) was not used: the model's metadata says how it takes pixels.`);
    return { bgr: metadata.bgr, preprocessing: { scaling: metadata.preprocessing, from: 'metadata' }, notes };
  }
  if (!chosen) {
    throw new GraftError(
      'invalid_request',
      `${model.file} does not say how it expects pixels (its metadata has no Image.NominalPixelRange): say it when importing (--preprocessing, or “It expects pixels” in the app) — imagenet for most PyTorch models ((x / 255 − mean) / std with ImageNet's mean and std), scale_0_1 (x / 255), scale_-1_1 (x / 127.5 − 1) or scale_0_255 (pixels as they are).`,
    );
  }
  notes.push(`Pixels: ${describePreprocessing(chosen)}, as chosen (${chosen}).`);
  return { bgr: metadata.bgr, preprocessing: { scaling: chosen, from: 'chosen' }, notes };
}

/** The first line of onnxruntime's message, without its source location. */
function runtimeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0].replace(/^.*?\]\s*/, '') || text).slice(0, 300);
}

/** How many photos a trial run gives the model: its fixed batch size, else two (a value that mixes photos shows as not one row per photo). */
function trialBatch(adapter: PixelAdapter): number {
  return typeof adapter.batch === 'number' ? adapter.batch : 2;
}

/** Runs a rewritten model on a batch of grey photos; returns each output's shape and values. */
async function runOnGrey(model: OnnxModel, bytes: Uint8Array, adapter: PixelAdapter, outputs: string[]): Promise<{ dims: readonly number[]; data: Float32Array }[]> {
  let session: ort.InferenceSession;
  try {
    ({ session } = await createSession(bytes, 'cpu'));
  } catch (error) {
    throw new GraftError('invalid_request', `${model.file} cannot be loaded by onnxruntime: ${runtimeMessage(error)}`);
  }
  try {
    const batch = trialBatch(adapter);
    const size = adapter.inputSize;
    const pixels = new Tensor('float32', new Float32Array(batch * size * size * 3).fill(128), [batch, size, size, 3]);
    const results = await session.run({ [ONNX_INPUT]: pixels }).catch((error: unknown) => {
      throw new GraftError('invalid_request', `${model.file} fails when run by onnxruntime on a ${size} × ${size} photo: ${runtimeMessage(error)}`);
    });
    return outputs.map((name) => ({ dims: results[name].dims, data: results[name].data as Float32Array }));
  } finally {
    await session.release();
  }
}

/** The layout of a 4-D value: where the two equal (spatial) sizes are; the input's layout when both or neither pair match. */
function valueLayout(dims: readonly number[], inputLayout: Layout): Layout {
  const [, a, b, c] = dims;
  const spatialLast = b === c;
  const spatialFirst = a === b;
  if (spatialLast !== spatialFirst) return spatialLast ? 'NCHW' : 'NHWC';
  return inputLayout;
}

/** Imports `file`, writing the rewritten model into `folder`. */
export async function importOnnx(file: string, folder: string, options: { featureValue?: string; preprocessing?: Preprocessing }): Promise<ImportedOnnx> {
  const model = readOnnx(readFile(file), file);
  checkRunnable(model);
  const input = imageInput(model);
  const { bgr, preprocessing, notes: pixelNotes } = chooseScaling(model, options.preprocessing);
  const adapter: PixelAdapter = { input: input.name, layout: input.layout, inputSize: input.inputSize, batch: input.batch, scaling: pixelScaling(preprocessing.scaling), bgr };
  const candidates = featureCandidates(model, options.featureValue, input.name);

  const probe = adaptedModel(model, adapter, candidates.map(({ value }): WantedValue => ({ value, as: 'raw' })));
  const shapes = (await runOnGrey(model, probe.bytes, adapter, probe.outputs)).map((o) => o.dims);
  const batch = trialBatch(adapter);
  const usable = candidates.findIndex((_, i) => (shapes[i].length === 4 || shapes[i].length === 2) && shapes[i][0] === batch);
  if (usable < 0) {
    const last = candidates.at(-1)!;
    throw new GraftError('invalid_request', `In ${model.file}, “${last.value}” (${last.found}) gives values of shape [${shapes.at(-1)!.join(', ')}] for ${batch} photos; Graft takes features from a value with one row per photo, 2-D or 4-D (spatial, averaged): name another (--feature-layer).`);
  }
  const { value, found } = candidates[usable];
  const dims = shapes[usable];
  const pool = dims.length === 4 ? valueLayout(dims, input.layout) : null;
  const featureSize = pool === 'NHWC' ? dims[3] : dims[1];

  const features = adaptedModel(model, adapter, [{ value, as: 'features', pool }]);
  const [check] = await runOnGrey(model, features.bytes, adapter, features.outputs);
  if (check.dims.join() !== [batch, featureSize].join()) throw new Error(`The features of ${model.file} came out as [${check.dims.join(', ')}] instead of [${batch}, ${featureSize}].`);
  if (!check.data.every(Number.isFinite)) throw new GraftError('invalid_request', `${model.file} gives features that are not finite numbers (NaN or infinity) for a grey photo; check it runs in onnxruntime.`);
  fs.writeFileSync(path.join(folder, IMPORTED_ONNX), features.bytes);

  const notes = [
    ...input.notes,
    ...pixelNotes,
    `Features: the ${featureSize} values of “${value}”${pool ? `, averaged over space (${pool})` : ''}: ${found}.`,
  ];
  return { inputSize: input.inputSize, featureValue: value, pool: pool !== null, featureSize, preprocessing, notes };
}
