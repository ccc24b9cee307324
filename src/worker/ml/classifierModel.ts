/**
 * A trained classifier as one unit — backbone, preprocessing, head and class names — built from a
 * training run, and turned into the two portable formats: ONNX (what Graft itself classifies
 * with, through onnxruntime) and a TensorFlow.js layers model.
 */
import fs from 'node:fs';
import type { HeadConfig, LayerWeights, SavedWeights } from '../../shared/modelWeights';
import type { ClassifierDescription } from '../../shared/classifierDescription';
import { pixelScaling, type Backbone } from '../../shared/catalogue';
import { GraftError } from '../../shared/api/errors';
import type { TransferRun } from '../../node/data/runStore';
import { loadBackboneModel, rescalingLayer } from './featureExtractor';

import { backboneFiles, requireBackbone } from '../../node/models/modelStore';
import { classifierToOnnx, UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { withHead } from '../onnx/importedOnnx';

import type { CropMode } from '../../node/photos/decode';
import { tf } from './tensorflow';

/** Why a run on an imported ONNX backbone has no TensorFlow.js form. */
export const TFJS_CANNOT_HOLD_ONNX = 'Its backbone is an imported ONNX model, which Graft runs in onnxruntime and cannot turn into a TensorFlow.js model; model.onnx is the whole classifier.';

export interface ClassifierModel {
  backbone: Backbone;
  crop: CropMode;
  labels: string[];
  head: SavedWeights<HeadConfig>;
  /** The backbone layers this run fine-tuned; null when the backbone stayed as published. */
  fineTuned: LayerWeights | null;
  runId: number;
}

/** A transfer-learning run of the project as a classifier. */
export function classifierFromRun(run: TransferRun): ClassifierModel {
  return {
    backbone: requireBackbone(run.backbone),
    crop: run.config.crop,
    labels: run.classes.map((c) => c.name),
    head: run.head,
    fineTuned: run.fineTuned,
    runId: run.id,
  };
}

export function describeClassifier(model: ClassifierModel, evaluation: ClassifierDescription['evaluation']): ClassifierDescription {
  return {
    format: 'graft-classifier',
    version: 1,
    labels: model.labels,
    inputSize: model.backbone.inputSize,
    crop: model.crop,
    input: 'float32 [batch, height, width, 3], RGB pixel values 0–255',
    preprocessing: model.backbone.preprocessing,
    backbone: model.backbone.id,
    runId: model.runId,
    evaluation,
  };
}

/** The classifier as one ONNX model from pixels to probabilities: the backbone (converted, or an imported ONNX model as stored) and the head. */
export async function classifierOnnx(model: ClassifierModel): Promise<Uint8Array> {
  const properties = { backbone: model.backbone.id, crop: model.crop, run: String(model.runId) };
  if (model.backbone.format === 'graph') throw new UnsupportedByOnnx('Graft converts layers models to ONNX; this run is on an imported graph model.');
  if (model.backbone.format === 'onnx') {
    const file = backboneFiles(model.backbone)[0];
    return withHead(fs.readFileSync(file), file, model.head, model.labels, properties);
  }
  const backbone = await loadBackboneModel(model.backbone, undefined, model.fineTuned);
  try {
    return classifierToOnnx({
      backbone,
      featureLayer: model.backbone.featureLayer,
      pool: model.backbone.pool,
      inputSize: model.backbone.inputSize,
      head: model.head,
      labels: model.labels,
      scaling: pixelScaling(model.backbone.preprocessing),
      properties,
    });
  } finally {
    backbone.dispose();
  }
}

/**
 * The classifier as one tfjs layers model from pixels (0–255) to probabilities: a Rescaling
 * layer for the backbone's preprocessing, the backbone up to its features, then the head as
 * Dense layers.
 */
export async function classifierTfjs(model: ClassifierModel): Promise<tf.LayersModel> {
  if (model.backbone.format === 'graph') throw new GraftError('unavailable', 'A run on an imported graph model cannot be exported as one model yet (TensorFlow.js layers models cannot hold a graph model); classify with it inside Graft.');
  if (model.backbone.format === 'onnx') throw new GraftError('unavailable', TFJS_CANNOT_HOLD_ONNX);
  const full = await loadBackboneModel(model.backbone, undefined, model.fineTuned);
  const size = model.backbone.inputSize;
  const pixels = tf.input({ shape: [size, size, 3], name: 'pixels' });
  const features = full.getLayer(model.backbone.featureLayer).output as tf.SymbolicTensor;
  const trunk = tf.model({ inputs: full.inputs, outputs: model.backbone.pool ? (tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor) : features, name: 'backbone' });
  let x = trunk.apply(rescalingLayer(pixelScaling(model.backbone.preprocessing)).apply(pixels)) as tf.SymbolicTensor;
  const tensors = model.head.tensors;
  const dense: { layer: tf.layers.Layer; weights: tf.Tensor[] }[] = [];
  for (let i = 0; i < tensors.length; i += 2) {
    const last = i + 2 >= tensors.length;
    const layer = tf.layers.dense({ units: tensors[i].shape[1], activation: last ? 'softmax' : 'relu', name: last ? 'probabilities' : `hidden_${i / 2}` });
    x = layer.apply(x) as tf.SymbolicTensor;
    dense.push({ layer, weights: [tf.tensor(tensors[i].values, tensors[i].shape), tf.tensor(tensors[i + 1].values, tensors[i + 1].shape)] });
  }
  const classifier = tf.model({ inputs: pixels, outputs: x, name: 'graft_classifier' });
  for (const { layer, weights } of dense) {
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return classifier;
}
