// Importing the real TensorFlow Lite models of ../shared as backbones, and checking what they
// compute against the reference TensorFlow.js conversions of the same files (made outside Graft),
// on real photos, in onnxruntime through Graft's Keras→ONNX converter as training runs them.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelScaling, type Backbone } from '../../../shared/catalogue';
import { makeTempDir } from '../../../../test-support/tempDir';
import { projectEnvironment } from '../../../../test-support/jobEnvironment';
import { testModelsDir, testPhotosDir } from '../../../../test-support/testModels';
import type { JobContext } from '../../../shared/jobs/jobContext';
import { createProject } from '../../../node/data/project';
import { classify } from '../../jobs/classify';
import { exportModel } from '../../jobs/exportModel';
import { importPhotos } from '../../jobs/importPhotos';
import { train } from '../../jobs/train';
import { loadBackboneModel, loadFeatureExtractor, loadLayersModelFolder } from '../featureExtractor';
import { importBackbone } from '../importBackbone';
import { IMPORTED_DESCRIPTION } from '../../../node/models/modelStore';
import { ONNX_INPUT, TRUNK_OUTPUT, trunkToOnnx } from '../../onnx/kerasToOnnx';
import { photoPixels } from '../../../node/photos/decode';
import { initTensorflow, tf } from '../tensorflow';
import { readTflite } from './tfliteModel';
import { tfliteToLayersModel } from './tfliteToLayersModel';

/** The TensorFlow Lite originals and the reference conversions beside them (see ../shared/README.md). */
const referenceModels = await testModelsDir(['efficientnet_lite0_224', 'mobilenet_v2_1.0_224_tf2']);
const tfliteDir = path.join(referenceModels, 'tflite');
const photosDir = testPhotosDir('cats_and_dogs/validation');
const context: JobContext = { signal: new AbortController().signal, progress: () => {} };
const SIZE = 224;
let temp: ReturnType<typeof makeTempDir>;

/** The first `count` photos of cats and of dogs, alternating, decoded as Graft decodes them. */
async function photos(count: number): Promise<{ pixels: Float32Array; dogs: boolean[] }> {
  const files = ['cats', 'dogs'].map((animal) => fs.readdirSync(path.join(photosDir, animal)).sort().slice(0, count / 2).map((f) => path.join(photosDir, animal, f)));
  const chosen = files[0].flatMap((cat, i) => [cat, files[1][i]]);
  const pixels = new Float32Array(chosen.length * SIZE * SIZE * 3);
  for (const [i, file] of chosen.entries()) pixels.set(await photoPixels(file, SIZE, 'center'), i * SIZE * SIZE * 3);
  return { pixels, dogs: chosen.map((f) => f.includes(`${path.sep}dogs${path.sep}`)) };
}

/** Rows of a model's output on the pixels (onnxruntime, through Graft's converter). */
async function onnxRows(model: tf.LayersModel, layer: string, preprocessing: Backbone['preprocessing'], pool: boolean, pixels: Float32Array): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(trunkToOnnx(model, layer, SIZE, pixelScaling(preprocessing), pool));
  const count = pixels.length / (SIZE * SIZE * 3);
  const output = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [count, SIZE, SIZE, 3]) });
  const data = output[TRUNK_OUTPUT].data as Float32Array;
  const width = data.length / count;
  return Array.from({ length: count }, (_, i) => data.subarray(i * width, (i + 1) * width));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let [dot, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [dot, aa, bb] = [dot + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return dot / Math.sqrt(aa * bb);
}

function argmax(row: Float32Array): number {
  return row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
}

/** The imported backbone's features, and its own output (the model's last layer). */
async function importedRows(backbone: Backbone, pixels: Float32Array, features = true): Promise<Float32Array[]> {
  const model = await loadBackboneModel(backbone);
  const layer = features ? backbone.featureLayer : model.outputs[0].sourceLayer.name;
  return onnxRows(model, layer, backbone.preprocessing, features && backbone.pool, pixels);
}

/** 100 photos, and the first 20 of them (10 cats, 10 dogs). */
let hundred: { pixels: Float32Array; dogs: boolean[] };
let sample: { pixels: Float32Array; dogs: boolean[] };

beforeAll(async () => {
  temp = makeTempDir();
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'models');
  await initTensorflow();
  hundred = await photos(100);
  sample = { pixels: hundred.pixels.subarray(0, 20 * SIZE * SIZE * 3), dogs: hundred.dogs.slice(0, 20) };
});
afterAll(() => temp.remove());

describe('importing TensorFlow Lite models', () => {
  it.each([
    ['coral_tf2_mobilenet_v2_1.0_224_ptq.tflite', 'mobilenet_v2_1.0_224_tf2', 'tf2 v2', 1280],
    ['modelmaker_efficientnet_lite0_int8_3class.tflite', 'efficientnet_lite0_224', 'lite0', 1280],
  ])('%s: its features before the head equal the reference conversion’s (cosine ≥ 0.999 on 20 photos)', async (file, reference, name, featureSize) => {
    let t = Date.now();
    const lap = (what: string) => { console.log(what, Date.now() - t); t = Date.now(); };
    const { backbone, onnxProblem } = await importBackbone({ folder: path.join(tfliteDir, file), name, preprocessing: 'scale_-1_1' });
    lap('import');
    expect(backbone).toMatchObject({ id: `imported_${name.replace(' ', '_')}`, format: 'layers', inputSize: 224, featureSize, url: path.join(tfliteDir, file) });
    expect(onnxProblem).toBeNull();
    expect(fs.readdirSync(path.join(temp.dir, 'models', backbone.id)).sort()).toEqual([IMPORTED_DESCRIPTION, 'model.json', 'weights.bin']);

    const ours = await importedRows(backbone, sample.pixels);
    lap('ours');
    const theirs = await onnxRows(await loadLayersModelFolder(path.join(referenceModels, reference)), 'global_average_pooling2d', 'scale_-1_1', false, sample.pixels);
    lap('theirs');
    const similarities = ours.map((row, i) => cosine(row, theirs[i]));
    console.log(file, similarities.map((v) => v.toFixed(6)).join(' '));
    expect(ours[0]).toHaveLength(featureSize);
    expect(Math.min(...similarities)).toBeGreaterThanOrEqual(0.999);
    // Different photos, different features.
    expect(cosine(ours[0], ours[1])).toBeLessThan(0.95);
  }, 60_000);

  it('MobileNetV2 1.0: its ImageNet top-1 class agrees with the reference conversion on 100 photos', async () => {
    const file = 'coral_tf2_mobilenet_v2_1.0_224_ptq.tflite';
    const converted = tfliteToLayersModel(readTflite(fs.readFileSync(path.join(tfliteDir, file)), file), pixelScaling('scale_-1_1'));
    const ours = (await onnxRows(await tf.loadLayersModel(tf.io.fromMemory(converted.artifacts)), converted.outputLayer, 'scale_-1_1', false, hundred.pixels)).map(argmax);
    const theirs = (await onnxRows(await loadLayersModelFolder(path.join(referenceModels, 'mobilenet_v2_1.0_224_tf2')), 'predictions', 'scale_-1_1', false, hundred.pixels)).map(argmax);
    expect(ours.filter((c, i) => c === theirs[i])).toHaveLength(100);
  }, 60_000);

  it('the uint8 MobileNetV2 takes dog photos for dogs, and its features run in TensorFlow.js as in onnxruntime', async () => {
    const { backbone, onnxProblem } = await importBackbone({ folder: path.join(tfliteDir, 'coral_mobilenet_v2_1.0_224_quant.tflite'), preprocessing: 'scale_0_1' });
    expect(backbone).toMatchObject({ id: 'imported_coral_mobilenet_v2_1_0_224_quant', featureSize: 1280, pool: true });
    expect(onnxProblem).toBeNull();
    const labels = fs.readFileSync(path.join(tfliteDir, 'imagenet_labels_1001.txt'), 'utf8').split('\n');
    // The dog breeds of ImageNet, in its 1001-class order (0 is “background”).
    const [firstDog, lastDog] = [labels.indexOf('Chihuahua'), labels.indexOf('Mexican hairless')];
    const classes = (await importedRows(backbone, sample.pixels, false)).map(argmax);
    const dogClasses = classes.filter((c, i) => sample.dogs[i] && c >= firstDog && c <= lastDog);
    expect(dogClasses.length).toBeGreaterThanOrEqual(8); // of 10 dog photos
    expect(classes.filter((c, i) => !sample.dogs[i] && c >= firstDog && c <= lastDog).length).toBeLessThanOrEqual(2);

    const onnx = await importedRows(backbone, sample.pixels.subarray(0, 4 * SIZE * SIZE * 3));
    const extractor = await loadFeatureExtractor(backbone);
    const tfjs = tf.tidy(() => extractor.predict(tf.tensor4d(sample.pixels.subarray(0, 4 * SIZE * SIZE * 3), [4, SIZE, SIZE, 3])).arraySync());
    extractor.dispose();
    for (const [i, row] of tfjs.entries()) expect(Math.max(...row.map((v, j) => Math.abs(v - onnx[i][j])))).toBeLessThan(1e-3);
  });

  it('the MobileNetV1 embedding extractor (no head) gives its output as features, which tell cats from dogs', async () => {
    const folder = path.join(temp.dir, 'one-model');
    fs.mkdirSync(folder);
    fs.symlinkSync(path.join(tfliteDir, 'coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'), path.join(folder, 'embedder.tflite'));
    const { backbone } = await importBackbone({ folder, preprocessing: 'scale_-1_1' });
    expect(backbone).toMatchObject({ id: 'imported_one_model', featureSize: 1024, pool: true, url: path.join(folder, 'embedder.tflite') });
    const features = await importedRows(backbone, sample.pixels);
    // Nearest class mean, leaving each photo out of its class's mean.
    const mean = (rows: Float32Array[]) => rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    const correct = features.filter((row, i) => {
      const means = [false, true].map((dog) => mean(features.filter((_, k) => k !== i && sample.dogs[k] === dog)));
      return (cosine(row, means[1]) > cosine(row, means[0])) === sample.dogs[i];
    });
    expect(correct.length).toBeGreaterThanOrEqual(17); // of 20
  });

  it('trains, classifies and exports with an imported TensorFlow Lite backbone, on onnxruntime', async () => {
    const { backbone } = await importBackbone({ folder: path.join(tfliteDir, 'coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'), name: 'embedder', preprocessing: 'scale_-1_1' });
    // Real photos, linked into the ImageFolder layout (train/test levels set the splits).
    for (const animal of ['cats', 'dogs']) {
      for (const [i, file] of fs.readdirSync(path.join(photosDir, animal)).sort().slice(0, 12).entries()) {
        const target = path.join(temp.dir, 'photos', i < 8 ? 'train' : 'test', animal, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.symlinkSync(path.join(photosDir, animal, file), target);
      }
    }
    const project = createProject(path.join(temp.dir, 'p.graft'));
    try {
      await importPhotos({ folders: [path.join(temp.dir, 'photos')], folderLabels: true }, projectEnvironment(project, context));
      const run = await train({ model: 'transfer', backbone: backbone.id, epochs: 30, seed: 1, hidden: 0, dropout: 0, learningRate: 0.01, batchSize: 8, patience: 30, crop: 'center', fineTuneEpochs: 0 }, projectEnvironment(project, context));
      expect(run).toMatchObject({ backbone: backbone.id, featuresComputed: 24 });
      expect(run.evaluation.accuracy).toBeGreaterThanOrEqual(0.75);
      const result = await classify({ model: { runId: run.runId }, folders: [path.join(temp.dir, 'photos', 'test')], topK: 2 }, projectEnvironment(project, context));
      expect(result).toMatchObject({ found: 8, classified: 8, failed: 0, engine: expect.stringMatching(/onnxruntime/) });
      expect(project.stores.classified.summary(result.classifierId!, 0).total).toBe(8);
      const exported = await exportModel({ runId: run.runId, folder: path.join(temp.dir, 'export') }, projectEnvironment(project, context));
      expect(exported.files).toContain('model.onnx');
      expect(exported.verification).toMatchObject({ onnxAgree: exported.verification.photos, tfjsAgree: exported.verification.photos });
    } finally {
      project.close();
    }
  }, 60_000);

  it('refuses a folder of two models, and a damaged file, saying why and leaving nothing behind', async () => {
    const folder = path.join(temp.dir, 'two-models');
    fs.mkdirSync(folder);
    for (const name of ['a.tflite', 'b.tflite']) fs.symlinkSync(path.join(tfliteDir, 'coral_mobilenet_v2_1.0_224_quant.tflite'), path.join(folder, name));
    await expect(importBackbone({ folder, preprocessing: 'scale_-1_1' })).rejects.toThrow(`${folder} holds 2 TensorFlow Lite models (a.tflite, b.tflite); choose one of the files.`);
    const damaged = path.join(temp.dir, 'damaged.tflite');
    fs.writeFileSync(damaged, fs.readFileSync(path.join(tfliteDir, 'coral_mobilenet_v2_1.0_224_quant.tflite')).subarray(0, 200_000));
    await expect(importBackbone({ folder: damaged, preprocessing: 'scale_-1_1' })).rejects.toThrow(/^damaged\.tflite is not a readable TensorFlow Lite model: it is cut short or damaged/);
    await expect(importBackbone({ folder: path.join(temp.dir, 'missing.tflite'), preprocessing: 'scale_-1_1' })).rejects.toThrow(`${path.join(temp.dir, 'missing.tflite')} does not exist.`);
    expect(fs.readdirSync(path.join(temp.dir, 'models')).filter((f) => f.includes('damaged') || f.includes('missing') || f.includes('partial'))).toEqual([]);
  });
});
