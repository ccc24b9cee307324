/** Loads a backbone from the models folder, whole or as a feature extractor. */
import fs from 'node:fs';
import path from 'node:path';
import { pixelScaling, type Backbone, type PixelScaling } from '../../shared/catalogue';
import { backboneFolder } from '../../node/models/modelStore';
import type { LayerWeights } from '../../shared/modelWeights';
import { readModelManifest, weightFilesOf } from './modelManifest';
import { tf } from './tensorflow';

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

/**
 * A Rescaling layer for the backbone's preprocessing. TensorFlow.js's Rescaling multiplies and adds
 * with broadcasting, so per-channel values (arrays of three) scale the last, channel axis; its
 * typings only admit single numbers.
 */
export function rescalingLayer(scaling: PixelScaling): tf.layers.Layer {
  return tf.layers.rescaling(scaling as { scale: number; offset: number });
}

/**
 * A TensorFlow.js model's files (model.json beside its weight files) as in-memory artifacts. The
 * weight files are read only from inside the folder, whatever model.json lists.
 */
function readArtifacts(folder: string): tf.io.ModelArtifacts {
  const manifest = readModelManifest(folder);
  const data = Buffer.concat(weightFilesOf(manifest, folder).map((file) => fs.readFileSync(path.join(folder, file))));
  const groups = manifest.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[] | undefined;
  return {
    modelTopology: manifest.modelTopology as object,
    weightSpecs: (groups ?? []).flatMap((group) => group.weights),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
  };
}

/** A TensorFlow.js layers model from a folder, read from disk. */
export async function loadLayersModelFolder(folder: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(readArtifacts(folder)));
}

/** A TensorFlow.js graph model from a folder, read from disk. */
export async function loadGraphModelFolder(folder: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(readArtifacts(folder)));
}

/** A backbone from pixels (0–255, NHWC) to feature vectors, with its preprocessing inside. */
export interface FeatureExtractor {
  predict(pixels: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/** The features of a graph model: a node's output (averaged over space when it is 4-D). */
async function graphFeatureExtractor(backbone: Backbone, folder: string): Promise<FeatureExtractor> {
  const graph = await loadGraphModelFolder(folder);
  const { scale, offset } = pixelScaling(backbone.preprocessing);
  return {
    predict: (pixels) =>
      tf.tidy(() => {
        const output = graph.execute(tf.add(tf.mul(pixels, scale), offset), backbone.featureLayer) as tf.Tensor;
        const features = output.rank === 4 && backbone.pool ? tf.mean(output, [1, 2]) : output;
        return features.reshape([pixels.shape[0], -1]) as tf.Tensor2D;
      }),
    dispose: () => graph.dispose(),
  };
}

/**
 * The backbone from pixels to its feature layer (global-average-pooled if it is spatial): the
 * backbone's preprocessing is inside, so callers cannot get it wrong.
 */
export async function loadFeatureExtractor(backbone: Backbone, folder = backboneFolder(backbone), fineTuned: LayerWeights | null = null): Promise<FeatureExtractor> {
  if (backbone.format === 'graph') return graphFeatureExtractor(backbone, folder);
  const full = await loadBackboneModel(backbone, folder, fineTuned);
  const layer = full.getLayer(backbone.featureLayer);
  const features = backbone.pool ? tf.layers.globalAveragePooling2d({}).apply(layer.output) : layer.output;
  const trunk = tf.model({ inputs: full.inputs, outputs: features as tf.SymbolicTensor });
  const pixels = tf.input({ shape: [backbone.inputSize, backbone.inputSize, 3] });
  const model = tf.model({ inputs: pixels, outputs: trunk.apply(rescalingLayer(pixelScaling(backbone.preprocessing)).apply(pixels)) as tf.SymbolicTensor });
  return {
    predict: (x) => tf.tidy(() => (model.predict(x) as tf.Tensor).reshape([x.shape[0], -1]) as tf.Tensor2D),
    dispose: () => void model.dispose(),
  };
}
