/**
 * "Import a model folder": any TensorFlow.js model the user has (model.json and its weight files)
 * becomes a backbone to train on. Graft copies it into the models folder, reads its input size,
 * picks the features — of a layers model, the last layer that keeps a spatial grid (averaged over
 * space); of a graph model, its output node; or the layer or node the user names — runs it once to
 * prove it loads, and records whether the ONNX export covers it (if not, classifying with it runs
 * on TensorFlow.js, slower, and a graph model's runs cannot be exported as one model).
 * A TensorFlow Lite model (a .tflite file, or a folder holding one) is converted into a layers
 * model first (tflite/), its features taken before its classification head. An ONNX model (a
 * .onnx file, or a folder holding one) is stored rewritten to give its features from Graft's
 * pixels, and runs in onnxruntime (onnxImport/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describePreprocessing, pixelScaling, type Backbone, type Preprocessing } from '../../shared/catalogue';
import type { ImportBackboneResult } from '../../shared/api/training';
import { GraftError } from '../../shared/api/errors';
import { loadBackboneModel, loadFeatureExtractor, loadGraphModelFolder } from './featureExtractor';
import { readModelManifest, weightFilesOf } from './modelManifest';
import { Head } from './head';
import { backboneFolder, IMPORTED_DESCRIPTION, lookupBackbone, modelsDir } from '../../node/models/modelStore';
import { classifierToOnnx } from '../onnx/kerasToOnnx';
import { initTensorflow, tf } from './tensorflow';
import { tfliteFile, writeTfliteAsLayersModel } from './tflite/importTflite';
import { importOnnx, onnxFile } from './onnxImport/importOnnx';

export interface ImportBackboneParams {
  folder: string;
  name?: string;
  featureLayer?: string;
  /** Unsaid: the model says (TFLite, ONNX), else scale_-1_1 (TensorFlow.js, TFLite); an ONNX model that does not say is refused. */
  preprocessing?: Preprocessing;
}

/** What Graft assumes of a TensorFlow.js or TFLite model's pixels when neither it nor the person says. */
const DEFAULT_PREPROCESSING: Preprocessing = 'scale_-1_1';

export interface ImportedBackbone {
  backbone: Backbone;
  onnxProblem: string | null;
  preprocessing: ImportBackboneResult['preprocessing'];
  notes: string[];
}

/** The import as the API reports it. */
export async function importBackboneJob(params: ImportBackboneParams): Promise<ImportBackboneResult> {
  await initTensorflow();
  const { backbone, onnxProblem, preprocessing, notes } = await importBackbone(params);
  return { id: backbone.id, title: backbone.title, inputSize: backbone.inputSize, featureLayer: backbone.featureLayer, featureSize: backbone.featureSize, folder: backboneFolder(backbone), onnxProblem, preprocessing, notes };
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

/**
 * A graph model's input size and feature node — the one named, or the model's output — found by
 * running zeros through it; a 4-D node is averaged over space.
 */
async function describeGraphModel(provisional: Backbone, folder: string, featureNode: string | undefined): Promise<Backbone> {
  const model = await loadGraphModelFolder(folder);
  try {
    const [, height, width, channels] = model.inputs[0].shape ?? [];
    const size = height !== undefined && height > 0 ? height : 224;
    if (channels !== 3 || (height !== undefined && height > 0 && height !== width)) throw new GraftError('invalid_request', `The model takes input of shape ${JSON.stringify(model.inputs[0].shape)}; Graft needs square RGB photos ([batch, size, size, 3]).`);
    const node = featureNode ?? model.outputNodes[0];
    let shape: number[];
    try {
      shape = tf.tidy(() => (model.execute(tf.zeros([1, size, size, 3]), node) as tf.Tensor).shape);
    } catch (error) {
      throw new GraftError('not_found', `The graph model has no usable node “${node}”: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    if (shape.length !== 4 && shape.length !== 2) throw new GraftError('invalid_request', `The node ${node} gives ${shape.length - 1}-D outputs; choose a node with a 3-D (spatial) or 1-D output.`);
    return { ...provisional, inputSize: size, featureLayer: node, pool: shape.length === 4, featureSize: shape.at(-1)! };
  } finally {
    model.dispose();
  }
}

export async function importBackbone(params: ImportBackboneParams): Promise<ImportedBackbone> {
  const source = path.resolve(params.folder);
  const onnx = onnxFile(source);
  const tflite = onnx ? null : tfliteFile(source);
  const single = onnx ?? tflite;
  const manifestFile = path.join(source, 'model.json');
  if (!single && !fs.existsSync(manifestFile)) throw new GraftError('not_found', `${source} has no model.json: choose the folder of a TensorFlow.js model, or a .tflite or .onnx file.`);
  const manifest = single ? {} : readModelManifest(source);
  const graph = manifest.format === 'graph-model' || Boolean((manifest.modelTopology as { node?: unknown } | undefined)?.node);
  // Checked to stay inside the folder: they are joined to the models folder below.
  const files = single ? [] : ['model.json', ...weightFilesOf(manifest, source)];
  for (const f of files) if (!fs.existsSync(path.join(source, f))) throw new GraftError('not_found', `${source} lacks the weight file ${f} that model.json lists.`);

  const name = params.name ?? (single === source ? path.basename(source, path.extname(source)) : path.basename(source));
  const id = `imported_${slug(name)}`;
  if (lookupBackbone(id)) throw new GraftError('already_exists', `A backbone named ${id} is already in the models folder (${modelsDir()}); choose another name.`);
  const target = path.join(modelsDir(), id);
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
    fs.copyFileSync(path.join(source, f), path.join(staging, f));
  }

  const store = (backbone: Backbone) => {
    fs.writeFileSync(path.join(staging, IMPORTED_DESCRIPTION), JSON.stringify(backbone, null, 2) + '\n');
    fs.renameSync(staging, target);
  };
  const preprocessing = params.preprocessing ?? DEFAULT_PREPROCESSING;
  const said = params.preprocessing ? 'as chosen' : 'assumed: say another with --preprocessing if the model expects something else';
  try {
    // Loaded from its new place, as training will load it.
    const provisional: Backbone = {
      id,
      title: `${name} (imported)`,
      family: 'imported',
      format: graph ? 'graph' : 'layers',
      alpha: null,
      url: single ?? source,
      inputSize: 0,
      preprocessing,
      featureLayer: '',
      pool: true,
      fineTuneFrom: null,
      featureSize: 0,
      licence: `as given by its authors (imported from ${source})`,
    };
    if (onnx) {
      const imported = await importOnnx(onnx, staging, { featureValue: params.featureLayer, preprocessing: params.preprocessing });
      const backbone: Backbone = { ...provisional, format: 'onnx', inputSize: imported.inputSize, preprocessing: imported.preprocessing.scaling, featureLayer: imported.featureValue, pool: imported.pool, featureSize: imported.featureSize };
      store(backbone);
      return { backbone, onnxProblem: null, preprocessing: imported.preprocessing, notes: imported.notes };
    }
    const chosen = { scaling: preprocessing, from: params.preprocessing ? ('chosen' as const) : ('default' as const) };
    const pixelsNote = `Pixels: ${describePreprocessing(preprocessing)} (${said}).`;
    const imported = graph ? await describeGraphModel(provisional, staging, params.featureLayer) : null;
    if (imported) {
      store(imported);
      return { backbone: imported, onnxProblem: 'Graft converts layers models to ONNX; a graph model runs on TensorFlow.js.', preprocessing: chosen, notes: [pixelsNote] };
    }
    const converted = tflite ? writeTfliteAsLayersModel(tflite, staging, pixelScaling(preprocessing)) : null;
    const model = await loadBackboneModel(provisional, staging);
    const [, height, width, channels] = model.inputs[0].shape;
    if (channels !== 3 || (height !== null && height !== width)) throw new GraftError('invalid_request', `The model takes input of shape ${JSON.stringify(model.inputs[0].shape)}; Graft needs square RGB photos ([batch, size, size, 3]).`);
    const spatial = model.layers.filter((l) => (l.outputShape as number[]).length === 4);
    const layer = params.featureLayer ? model.layers.find((l) => l.name === params.featureLayer) : converted ? model.getLayer(converted.featureLayer) : spatial.at(-1);
    if (!layer) throw new GraftError('not_found', params.featureLayer ? `The model has no layer “${params.featureLayer}”.` : 'The model has no layer with a spatial output to take features from; name one with --feature-layer.');
    const shape = layer.outputShape as number[];
    if (shape.length !== 4 && shape.length !== 2) throw new GraftError('invalid_request', `The layer ${layer.name} gives ${shape.length - 1}-D outputs; choose a layer with a 3-D (spatial) or 1-D output.`);
    const backbone: Backbone = { ...provisional, inputSize: height ?? 224, featureLayer: layer.name, pool: shape.length === 4, featureSize: shape.at(-1)! };
    // One photo's worth of zeros through the feature extractor: it loads and runs.
    const extractor = await loadFeatureExtractor(backbone, staging);
    tf.tidy(() => extractor.predict(tf.zeros([1, backbone.inputSize, backbone.inputSize, 3]) as tf.Tensor4D));
    const problem = onnxProblem(model, backbone);
    extractor.dispose();
    model.dispose();
    store(backbone);
    const fromFile = converted && converted.pixelsFrom !== 'preprocessing';
    return {
      backbone,
      onnxProblem: problem,
      preprocessing: fromFile ? { scaling: null, from: 'metadata' } : chosen,
      notes: [fromFile ? `Pixels: as the file's input ${converted.pixelsFrom === 'quantization' ? 'quantization' : 'normalisation metadata'} says.` : pixelsNote],
    };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
