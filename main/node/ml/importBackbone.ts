/**
 * "Import a model folder": any TensorFlow.js layers model the user has (model.json and its weight
 * files) becomes a backbone to train on. Graft copies it into the models folder, reads its input
 * size, picks the feature layer (the last one that keeps a spatial grid, averaged over space —
 * or the one the user names), runs it once to prove it loads, and records whether the ONNX
 * export covers its layers (if not, classifying with it runs on TensorFlow.js, slower).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Backbone, Preprocessing } from '../../../models/catalogue';
import type { ImportBackboneResult } from '../../../preload/common/contract';
import { GraftError } from '../../../preload/common/errors';
import { loadBackboneModel, loadFeatureExtractor } from './featureExtractor';
import { Head } from './head';
import { backboneFolder, IMPORTED_DESCRIPTION, lookupBackbone, modelsDir } from './modelStore';
import { classifierToOnnx } from './onnx/kerasToOnnx';
import { initTensorflow, tf } from './tensorflow';

export interface ImportBackboneParams {
  folder: string;
  name?: string;
  featureLayer?: string;
  preprocessing: Preprocessing;
}

/** The import as the API reports it. */
export async function importBackboneJob(params: ImportBackboneParams): Promise<ImportBackboneResult> {
  await initTensorflow();
  const { backbone, onnxProblem } = await importBackbone(params);
  return { id: backbone.id, title: backbone.title, inputSize: backbone.inputSize, featureLayer: backbone.featureLayer, featureSize: backbone.featureSize, folder: backboneFolder(backbone), onnxProblem };
}

interface Manifest {
  format?: string;
  modelTopology?: { node?: unknown };
  weightsManifest?: { paths: string[] }[];
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 40) || 'model'
  );
}

/** Why the ONNX export cannot take this backbone, or null when it can. */
function onnxProblem(model: tf.LayersModel, backbone: Backbone): string | null {
  const head = new Head({ inputSize: backbone.featureSize, classCount: 2, hidden: 0, dropout: 0, seed: 1 });
  try {
    const weights = { config: head.config, tensors: head.variables.map((v) => ({ shape: v.shape, values: Array.from(v.dataSync()) })) };
    classifierToOnnx({ backbone: model, featureLayer: backbone.featureLayer, pool: backbone.pool, inputSize: backbone.inputSize, head: weights, labels: ['a', 'b'], scaling: { scale: 1, offset: 0 }, properties: {} });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    head.dispose();
  }
}

export async function importBackbone(params: ImportBackboneParams): Promise<{ backbone: Backbone; onnxProblem: string | null }> {
  const source = path.resolve(params.folder);
  const manifestFile = path.join(source, 'model.json');
  if (!fs.existsSync(manifestFile)) throw new GraftError('not_found', `${source} has no model.json: choose the folder of a TensorFlow.js model.`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  if (manifest.format === 'graph-model' || manifest.modelTopology?.node) {
    throw new GraftError('invalid_request', `${source} holds a TensorFlow.js graph model. Graft imports layers models (tf.loadLayersModel / Keras conversions); graph models have no layers to take features from.`);
  }
  const files = ['model.json', ...(manifest.weightsManifest ?? []).flatMap((g) => g.paths)];
  for (const f of files) if (!fs.existsSync(path.join(source, f))) throw new GraftError('not_found', `${source} lacks the weight file ${f} that model.json lists.`);

  const id = `imported_${slug(params.name ?? path.basename(source))}`;
  if (lookupBackbone(id)) throw new GraftError('already_exists', `A backbone named ${id} is already in the models folder (${modelsDir()}); choose another name.`);
  const target = path.join(modelsDir(), id);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
    fs.copyFileSync(path.join(source, f), path.join(staging, f));
  }

  try {
    // Loaded from its new place, as training will load it.
    const provisional: Backbone = { id, title: '', family: 'imported', alpha: null, url: source, inputSize: 0, preprocessing: params.preprocessing, featureLayer: '', pool: true, fineTuneFrom: null, featureSize: 0, licence: '' };
    const model = await loadBackboneModel(provisional, staging);
    const [, height, width, channels] = model.inputs[0].shape;
    if (channels !== 3 || (height !== null && height !== width)) throw new GraftError('invalid_request', `The model takes input of shape ${JSON.stringify(model.inputs[0].shape)}; Graft needs square RGB photos ([batch, size, size, 3]).`);
    const spatial = model.layers.filter((l) => (l.outputShape as number[]).length === 4);
    const layer = params.featureLayer ? model.layers.find((l) => l.name === params.featureLayer) : spatial.at(-1);
    if (!layer) throw new GraftError('not_found', params.featureLayer ? `The model has no layer “${params.featureLayer}”.` : 'The model has no layer with a spatial output to take features from; name one with --feature-layer.');
    const shape = layer.outputShape as number[];
    if (shape.length !== 4 && shape.length !== 2) throw new GraftError('invalid_request', `The layer ${layer.name} gives ${shape.length - 1}-D outputs; choose a layer with a 3-D (spatial) or 1-D output.`);
    const backbone: Backbone = {
      ...provisional,
      title: `${params.name ?? path.basename(source)} (imported)`,
      inputSize: height ?? 224,
      featureLayer: layer.name,
      pool: shape.length === 4,
      featureSize: shape.at(-1)!,
      licence: `as given by its authors (imported from ${source})`,
    };
    // One photo's worth of zeros through the feature extractor: it loads and runs.
    const extractor = await loadFeatureExtractor(backbone, staging);
    tf.tidy(() => extractor.predict(tf.zeros([1, backbone.inputSize, backbone.inputSize, 3])));
    const problem = onnxProblem(model, backbone);
    extractor.dispose();
    model.dispose();
    fs.writeFileSync(path.join(staging, IMPORTED_DESCRIPTION), JSON.stringify(backbone, null, 2) + '\n');
    fs.renameSync(staging, target);
    return { backbone, onnxProblem: problem };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
