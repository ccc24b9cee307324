/** Loads a backbone from the models folder, whole or as a feature extractor. */
import fs from 'node:fs';
import path from 'node:path';
import { pixelScaling, type Backbone } from '../../../models/catalogue';
import { backboneFolder } from './modelStore';
import { tf } from './tensorflow';

/** Fine-tuned layers' weights, by layer name, in each layer's own weight order (for layer.setWeights). */
export type LayerWeights = Record<string, { shape: number[]; values: number[] }[]>;

/** The published model as it is (with its ImageNet head where it has one), or with a run's fine-tuned layers. */
export async function loadBackboneModel(backbone: Backbone, folder = backboneFolder(backbone), fineTuned: LayerWeights | null = null): Promise<tf.LayersModel> {
  const model = await loadLayersModelFolder(folder);
  for (const [name, tensors] of Object.entries(fineTuned ?? {})) {
    const values = tensors.map((t) => tf.tensor(t.values, t.shape));
    model.getLayer(name).setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/** A TensorFlow.js layers model from a folder (model.json beside its weight files), read from disk. */
export async function loadLayersModelFolder(folder: string): Promise<tf.LayersModel> {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = manifest.weightsManifest.flatMap((group) => group.weights);
  const data = Buffer.concat(manifest.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(folder, p)))));
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }));
}

/**
 * The backbone as a model from pixels (0–255, NHWC) to its feature layer (global-average-pooled
 * if it is spatial): the backbone's preprocessing is inside, so callers cannot get it wrong.
 */
export async function loadFeatureExtractor(backbone: Backbone, folder = backboneFolder(backbone), fineTuned: LayerWeights | null = null): Promise<tf.LayersModel> {
  const full = await loadBackboneModel(backbone, folder, fineTuned);
  const layer = full.getLayer(backbone.featureLayer);
  const features = backbone.pool ? tf.layers.globalAveragePooling2d({}).apply(layer.output) : layer.output;
  const trunk = tf.model({ inputs: full.inputs, outputs: features as tf.SymbolicTensor });
  const pixels = tf.input({ shape: [backbone.inputSize, backbone.inputSize, 3] });
  return tf.model({ inputs: pixels, outputs: trunk.apply(tf.layers.rescaling(pixelScaling(backbone.preprocessing)).apply(pixels)) as tf.SymbolicTensor });
}
