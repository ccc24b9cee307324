/**
 * Runs a classifier with onnxruntime: about three times faster than TensorFlow.js's WebAssembly
 * backend on these machines, and the ONNX model is the one Graft exports, so what users run
 * outside Graft is what Graft itself ran. The model comes from a training run of the open
 * project (converted in memory) or from an exported model folder. A backbone with layers the
 * ONNX converter does not cover (an imported one) runs on TensorFlow.js instead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ClassifierDescription } from '../../shared/classifierDescription';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import type { Sqlite } from '../../node/data/sqlite';
import { classifierFromRun, classifierOnnx, classifierTfjs, type ClassifierModel } from './classifierModel';
import { loadFeatureExtractor, loadLayersModelFolder } from './featureExtractor';
import { Head } from './head';
import { DESCRIPTION_FILE, ONNX_FILE } from './exportClassifier';
import { ONNX_INPUT, ONNX_OUTPUT, UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import type { CropMode } from './photoPixels';
import { initTensorflow, tf } from './tensorflow';

export interface ClassifierEngine {
  /** Stable identity of the model's weights: results are reused only for the very same model. */
  identity: string;
  name: string;
  runId: number | null;
  labels: string[];
  inputSize: number;
  crop: CropMode;
  engine: string;
  /** Class probabilities of `count` photos given as NHWC pixels 0–255, row after row. */
  probabilities(pixels: Float32Array, count: number): Promise<Float32Array>;
  release(): Promise<void>;
}

async function open(bytes: Uint8Array, meta: Omit<ClassifierEngine, 'probabilities' | 'release' | 'engine'>): Promise<ClassifierEngine> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  const size = meta.inputSize;
  return {
    ...meta,
    engine: `onnxruntime ${ort.env.versions.node ?? ''}`.trim(),
    async probabilities(pixels, count) {
      const output = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [count, size, size, 3]) });
      return output[ONNX_OUTPUT].data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** A classifier on TensorFlow.js: anything from pixels to probabilities. */
async function openTfjs(model: { predict(pixels: tf.Tensor4D): tf.Tensor; dispose(): void }, meta: Omit<ClassifierEngine, 'probabilities' | 'release' | 'engine'>): Promise<ClassifierEngine> {
  const backend = await initTensorflow();
  const size = meta.inputSize;
  return {
    ...meta,
    engine: `TensorFlow.js ${backend.name}`,
    async probabilities(pixels, count) {
      const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [count, size, size, 3])));
      const data = (await output.data()) as Float32Array;
      output.dispose();
      return data;
    },
    release: async () => model.dispose(),
  };
}

/** A layers model as a function from pixels to probabilities. */
const fromLayers = (model: tf.LayersModel) => ({ predict: (pixels: tf.Tensor4D) => model.predict(pixels) as tf.Tensor, dispose: () => model.dispose() });

/** A graph-model backbone's features, then the head: there is no single model to convert. */
async function featuresThenHead(model: ClassifierModel) {
  const extractor = await loadFeatureExtractor(model.backbone);
  const head = Head.fromJSON(model.head);
  return {
    predict: (pixels: tf.Tensor4D) => tf.tidy(() => tf.softmax(head.logits(extractor.predict(pixels), false))),
    dispose: () => {
      extractor.dispose();
      head.dispose();
    },
  };
}

export async function engineForRun(db: Sqlite, runId: number): Promise<ClassifierEngine> {
  await initTensorflow(); // the backbone's weights are read with tfjs to be converted
  const model = classifierFromRun(db, runId);
  const meta = { identity: `run:${runId}`, name: `Run ${runId} · ${model.backbone.id}`, runId, labels: model.labels, inputSize: model.backbone.inputSize, crop: model.crop };
  if (model.backbone.format === 'graph') return openTfjs(await featuresThenHead(model), meta);
  try {
    return await open(await classifierOnnx(model), meta);
  } catch (error) {
    if (!(error instanceof UnsupportedByOnnx)) throw error;
    return openTfjs(fromLayers(await classifierTfjs(model)), meta);
  }
}

export function readDescription(folder: string): ClassifierDescription {
  const file = path.join(folder, DESCRIPTION_FILE);
  if (!fs.existsSync(file)) throw new GraftError('not_found', `${folder} is not a model exported by Graft (it has no ${DESCRIPTION_FILE}).`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new GraftError('invalid_request', `${file} is not valid JSON.`);
  }
  const parsed = ClassifierDescription.safeParse(raw);
  if (!parsed.success) throw new GraftError('invalid_request', `${file} is not a Graft model description: ${describeSchemaError(parsed.error, 'description')}`);
  return parsed.data;
}

/** An exported folder: its ONNX model, or its TensorFlow.js model when the export has no ONNX file. */
export async function engineForFolder(folder: string): Promise<ClassifierEngine> {
  const root = path.resolve(folder);
  const description = readDescription(root);
  const meta = { name: `${path.basename(root)} (exported run ${description.runId} · ${description.backbone})`, runId: null, labels: description.labels, inputSize: description.inputSize, crop: description.crop };
  const onnxFile = path.join(root, ONNX_FILE);
  if (fs.existsSync(onnxFile)) {
    const bytes = fs.readFileSync(onnxFile);
    return open(bytes, { ...meta, identity: `onnx:${createHash('sha256').update(bytes).digest('hex')}` });
  }
  await initTensorflow();
  const tfjsFolder = path.join(root, 'tfjs');
  const hash = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) hash.update(fs.readFileSync(path.join(tfjsFolder, f)));
  return openTfjs(fromLayers(await loadLayersModelFolder(tfjsFolder)), { ...meta, identity: `tfjs:${hash.digest('hex')}` });
}
