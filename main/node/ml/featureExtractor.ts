/** Loads a backbone from the models folder, whole or as a feature extractor. */
import fs from 'node:fs';
import path from 'node:path';
import type { Backbone } from '../../../models/catalogue';
import { backboneFolder } from './modelStore';
import { tf } from './tensorflow';

/** The published model as it is, with its ImageNet head where it has one. */
export async function loadBackboneModel(backbone: Backbone): Promise<tf.LayersModel> {
  const folder = backboneFolder(backbone);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = manifest.weightsManifest.flatMap((group) => group.weights);
  const data = Buffer.concat(manifest.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(folder, p)))));
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }));
}

/** The backbone as a model from its input to its feature layer (global-average-pooled if needed). */
export async function loadFeatureExtractor(backbone: Backbone): Promise<tf.LayersModel> {
  const full = await loadBackboneModel(backbone);
  const layer = full.getLayer(backbone.featureLayer);
  const output = backbone.pool ? tf.layers.globalAveragePooling2d({}).apply(layer.output) : layer.output;
  return tf.model({ inputs: full.inputs, outputs: output as tf.SymbolicTensor });
}
