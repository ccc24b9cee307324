/**
 * A trained classifier ready to run: a run of the open project, or a folder exported from any
 * project. It runs in onnxruntime from the same ONNX model the export writes (converted once per
 * run and cached; an imported ONNX backbone with the head appended), so what users run outside
 * Graft is what Graft itself ran; a backbone the converter cannot take runs on TensorFlow.js instead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { ClassifierDescription } from '../../shared/classifierDescription';
import type { RunStore } from '../../node/data/runStore';
import { backboneFiles } from '../../node/models/modelStore';
import type { CropMode } from '../../node/photos/decode';
import { cachedOnnx } from '../onnx/onnxCache';
import { ONNX_INPUT, ONNX_OUTPUT } from '../onnx/kerasToOnnx';
import { onnxPixelModel, pixelModel, tfjsPixelModel, type PixelModel } from '../pipeline/pixelModel';
import { classifierFromRun, classifierOnnx, classifierTfjs, type ClassifierModel } from './classifierModel';
import { DESCRIPTION_FILE, ONNX_FILE } from './exportClassifier';
import { loadFeatureExtractor, loadLayersModelFolder } from './featureExtractor';
import { Head } from './head';
import { initTensorflow, tf } from './tensorflow';

export interface Classifier {
  /** Stable identity of the model's weights: results are reused only for the very same model. */
  identity: string;
  name: string;
  runId: number | null;
  labels: string[];
  crop: CropMode;
  /** From pixels to class probabilities. */
  model: PixelModel;
}

/** A layers model as a network from pixels to probabilities. */
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

/**
 * The run's classifier: its ONNX model converted once and kept in the cache; on an imported ONNX
 * backbone, the stored model with the head appended (quick: no conversion to cache).
 */
export async function runModel(model: ClassifierModel): Promise<PixelModel> {
  const size = model.backbone.inputSize;
  if (model.backbone.format === 'graph') return tfjsPixelModel(await featuresThenHead(model), size);
  if (model.backbone.format === 'onnx') return onnxPixelModel(await classifierOnnx(model), { input: ONNX_INPUT, output: ONNX_OUTPUT }, size);
  const weights = createHash('sha256').update(JSON.stringify(model.head)).update(JSON.stringify(model.fineTuned)).update(JSON.stringify(model.labels)).digest('hex');
  return pixelModel(
    {
      onnx: async () => {
        await initTensorflow(); // the backbone's weights are read with TensorFlow.js to be converted
        const onnx = await cachedOnnx(`classifier-${model.backbone.id}`, backboneFiles(model.backbone), `${weights}:${model.crop}:${model.runId}`, () => classifierOnnx(model));
        return { model: onnx, input: ONNX_INPUT, output: ONNX_OUTPUT };
      },
      tfjs: async () => fromLayers(await classifierTfjs(model)),
    },
    size,
  );
}

export async function classifierForRun(runs: RunStore, runId: number): Promise<Classifier> {
  const model = classifierFromRun(runs.transferRun(runId));
  return { identity: `run:${runId}`, name: `Run ${runId} · ${model.backbone.title}`, runId, labels: model.labels, crop: model.crop, model: await runModel(model) };
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
export async function classifierForFolder(folder: string): Promise<Classifier> {
  const root = path.resolve(folder);
  const description = readDescription(root);
  const meta = { name: `${path.basename(root)} (exported run ${description.runId} · ${description.backbone})`, runId: null, labels: description.labels, crop: description.crop };
  const onnxFile = path.join(root, ONNX_FILE);
  if (fs.existsSync(onnxFile)) {
    const bytes = fs.readFileSync(onnxFile);
    return { ...meta, identity: `onnx:${createHash('sha256').update(bytes).digest('hex')}`, model: await onnxPixelModel(bytes, { input: ONNX_INPUT, output: ONNX_OUTPUT }, description.inputSize) };
  }
  await initTensorflow();
  const tfjsFolder = path.join(root, 'tfjs');
  const hash = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) hash.update(fs.readFileSync(path.join(tfjsFolder, f)));
  return { ...meta, identity: `tfjs:${hash.digest('hex')}`, model: await tfjsPixelModel(fromLayers(await loadLayersModelFolder(tfjsFolder)), description.inputSize) };
}

