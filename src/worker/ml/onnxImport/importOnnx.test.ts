// Importing ONNX image models as backbones. The models are made here from the shared MobileNetV2
// 0.35 by Graft's own converter, then changed as other tools' models differ from it
// (test-support/onnxFixtures.ts): they must give the catalogue backbone's features on real photos,
// train, classify and export; and models Graft cannot use must be refused with a sentence naming
// the file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBackbone, IMAGENET_MEAN, IMAGENET_STD, type RGB } from '../../../shared/catalogue';
import type { JobContext } from '../../../shared/jobs/jobContext';
import { makeTempDir } from '../../../../test-support/tempDir';
import { projectEnvironment } from '../../../../test-support/jobEnvironment';
import { testModelsDir, testPhotosDir } from '../../../../test-support/testModels';
import { MODEL_INPUT, smallImageModel, withNewInput } from '../../../../test-support/onnxFixtures';
import { writeJpeg } from '../../../../test-support/imageFixtures';
import { createProject } from '../../../node/data/project';
import { ClassifiedStore } from '../../../node/data/classifiedStore';
import { allBackbones, IMPORTED_DESCRIPTION, IMPORTED_ONNX } from '../../../node/models/modelStore';
import { photoPixels } from '../../../node/photos/decode';
import { classify } from '../../jobs/classify';
import { exportModel } from '../../jobs/exportModel';
import { importPhotos } from '../../jobs/importPhotos';
import { train } from '../../jobs/train';
import { classifierToOnnx } from '../../onnx/kerasToOnnx';
import { int64Tensor, OnnxGraph } from '../../onnx/onnxGraph';
import { featureModel } from '../features';
import { loadBackboneModel, loadFeatureExtractor } from '../featureExtractor';
import { Head } from '../head';
import { importBackbone } from '../importBackbone';
import { initTensorflow, tf } from '../tensorflow';

const SIZE = 224;
const catalogue = findBackbone('mobilenet_v2_0.35')!;
const sharedModels = path.join(await testModelsDir([catalogue.id]), catalogue.id);
const dogs = testPhotosDir('cats_and_dogs/validation/dogs');
const context: JobContext = { signal: new AbortController().signal, progress: () => {} };
let temp: ReturnType<typeof makeTempDir>;
/** Six real photos, decoded as Graft decodes them, and the catalogue backbone's features of them. */
let photos: Uint8Array[];
let expected: Float32Array;

/** The MobileNet and a random 10-class Gemm head, taking NHWC values that `scaling` maps to the [-1, 1] MobileNet was trained on. */
async function converted(scaling: { scale: number | RGB; offset: number | RGB }, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const backbone = await loadBackboneModel(catalogue, sharedModels);
  const head = new Head({ inputSize: catalogue.featureSize, classCount: 10, hidden: 0, dropout: 0, seed: 5 });
  try {
    const labels = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    return classifierToOnnx({ backbone, featureLayer: catalogue.featureLayer, pool: catalogue.pool, inputSize: SIZE, head: await head.toJSON(), labels, scaling, properties: metadata });
  } finally {
    head.dispose();
    backbone.dispose();
  }
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(temp.dir, 'onnx', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

async function features(backbone: Awaited<ReturnType<typeof importBackbone>>['backbone']): Promise<Float32Array> {
  const model = await featureModel(backbone);
  try {
    return await model.run(photos);
  } finally {
    await model.release();
  }
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
}

beforeAll(async () => {
  temp = makeTempDir();
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'models');
  await initTensorflow();
  const files = fs.readdirSync(dogs).sort().slice(0, 6);
  photos = await Promise.all(files.map(async (f) => Uint8Array.from(await photoPixels(path.join(dogs, f), SIZE, 'center'))));
  const extractor = await loadFeatureExtractor(catalogue, sharedModels);
  const pixels = new Float32Array(photos.length * SIZE * SIZE * 3);
  photos.forEach((p, i) => pixels.set(p, i * SIZE * SIZE * 3));
  expected = tf.tidy(() => extractor.predict(tf.tensor4d(pixels, [photos.length, SIZE, SIZE, 3])).dataSync() as Float32Array);
  extractor.dispose();
}, 120_000);
afterAll(() => temp.remove());

describe('importing an ONNX model', () => {
  it('takes an NHWC model whose metadata says its pixels, and gives the catalogue backbone’s features', async () => {
    // Graft's own names (pixels, features, probabilities) in a model of someone else's: taken back by the import.
    const file = write('mobilenet_nhwc.onnx', await converted({ scale: 1, offset: 0 }, { 'Image.NominalPixelRange': 'Normalized_1_1', 'Image.BitmapPixelFormat': 'Rgb8' }));
    const { backbone, preprocessing, notes, onnxProblem } = await importBackbone({ folder: file, preprocessing: 'imagenet' });
    expect(backbone).toMatchObject({ id: 'imported_mobilenet_nhwc', format: 'onnx', inputSize: SIZE, preprocessing: 'scale_-1_1', pool: true, featureSize: 1280 });
    expect(preprocessing).toEqual({ scaling: 'scale_-1_1', from: 'metadata' });
    expect(onnxProblem).toBeNull();
    expect(notes.join('\n')).toMatch(/is NHWC/);
    expect(notes.join('\n')).toMatch(/as its metadata says \(Image\.NominalPixelRange = Normalized_1_1; Image\.BitmapPixelFormat = Rgb8\)/);
    expect(notes.join('\n')).toMatch(/imagenet\) was not used/);
    expect(notes.join('\n')).toMatch(/Features: the 1280 values of “.*”, averaged over space \(NCHW\): the input of its last Gemm \(“.*”\), before Flatten\./);
    expect(fs.readdirSync(path.join(temp.dir, 'models', backbone.id)).sort()).toEqual([IMPORTED_DESCRIPTION, IMPORTED_ONNX]);
    expect(allBackbones().find((b) => b.id === backbone.id)).toEqual(backbone);
    expect(largestDifference(await features(backbone), expected)).toBeLessThan(1e-4);
  }, 120_000);

  it('takes an NCHW model of batch size 1 expecting ImageNet normalisation, asking for it when the model does not say', async () => {
    // (x / 255 − mean) / std = z, so the [-1, 1] MobileNet input x / 127.5 − 1 is z · 2 std + 2 mean − 1.
    const nhwc = await converted({ scale: IMAGENET_STD.map((s) => 2 * s) as RGB, offset: IMAGENET_MEAN.map((m) => 2 * m - 1) as RGB });
    const file = write('nchw/resnet_like.onnx', withNewInput(nhwc, { name: 'input.1', shape: [1, 3, SIZE, SIZE] }, [{ opType: 'Transpose', inputs: ['input.1'], output: MODEL_INPUT, attributes: { perm: [0, 2, 3, 1] } }]));
    await expect(importBackbone({ folder: file, name: 'resnet like' })).rejects.toThrow(/^resnet_like\.onnx does not say how it expects pixels .*imagenet for most PyTorch models/);

    // A folder holding one .onnx file is that file.
    const { backbone, preprocessing, notes } = await importBackbone({ folder: path.dirname(file), name: 'resnet like', preprocessing: 'imagenet' });
    expect(backbone).toMatchObject({ id: 'imported_resnet_like', format: 'onnx', inputSize: SIZE, preprocessing: 'imagenet', featureSize: 1280 });
    expect(preprocessing).toEqual({ scaling: 'imagenet', from: 'chosen' });
    expect(notes.join('\n')).toMatch(/“input\.1” is NCHW, \[1, 3, 224, 224\]/);
    expect(notes.join('\n')).toMatch(/batch size is fixed at 1/);
    expect(largestDifference(await features(backbone), expected)).toBeLessThan(1e-4);
  }, 120_000);

  it('takes a model of dynamic size taking B, G, R channels as its metadata says', async () => {
    const nhwc = await converted({ scale: 2, offset: -1 });
    const bgr = withNewInput(nhwc, { name: 'image', shape: ['N', 'height', 'width', 3] }, [{ opType: 'Gather', inputs: ['image', 'order'], output: MODEL_INPUT, attributes: { axis: 3 } }], [int64Tensor('order', [2, 1, 0])], {
      'image.nominalpixelrange': 'NORMALIZED_0_1',
      'Image.BitmapPixelFormat': 'Bgr8',
    });
    const { backbone, notes } = await importBackbone({ folder: write('bgr.onnx', bgr) });
    expect(backbone).toMatchObject({ inputSize: SIZE, preprocessing: 'scale_0_1' });
    expect(notes.join('\n')).toMatch(/dynamic \(“height” and “width”\): Graft feeds it 224 × 224 photos/);
    expect(notes.join('\n')).toMatch(/blue, green, red/);
    expect(largestDifference(await features(backbone), expected)).toBeLessThan(1e-4);
  }, 120_000);

  it('takes the features from the node or value named', async () => {
    const file = write('named.onnx', await converted({ scale: 1, offset: 0 }, { 'Image.NominalPixelRange': 'Normalized_1_1' }));
    const { backbone } = await importBackbone({ folder: file, featureLayer: 'block_16_project_BN' });
    expect(backbone).toMatchObject({ featureLayer: 'block_16_project_BN', pool: true, featureSize: 112 });
    const rows = await features(backbone);
    expect(rows).toHaveLength(photos.length * 112);
    await expect(importBackbone({ folder: file, name: 'missing', featureLayer: 'nope' })).rejects.toThrow('named.onnx has no node or value named “nope”.');
  }, 120_000);

  it('refuses an unknown layout, a non-square or grey input, a model without a head unless told, and a damaged file, naming the file', async () => {
    await expect(importBackbone({ folder: write('unknown.onnx', smallImageModel(['N', 'C', 'H', 'W'])), preprocessing: 'scale_0_1' })).rejects.toThrow(
      'unknown.onnx takes input “x” of shape [“N”, “C”, “H”, “W”]: Graft cannot tell whether its channels come first (NCHW, [batch, 3, height, width]) or last (NHWC, [batch, height, width, 3]).',
    );
    await expect(importBackbone({ folder: write('wide.onnx', smallImageModel([1, 3, 224, 320])), preprocessing: 'scale_0_1' })).rejects.toThrow(/^wide\.onnx takes 224 × 320 photos .*Graft feeds square photos\.$/);
    await expect(importBackbone({ folder: write('grey.onnx', smallImageModel([1, 1, 28, 28])), preprocessing: 'scale_0_1' })).rejects.toThrow(/^grey\.onnx takes input “x” of shape \[1, 1, 28, 28\]: not RGB photos/);
    // A head made of a convolution (as SqueezeNet's): no Gemm or MatMul to find the features before.
    const graph = new OnnxGraph();
    graph.node('GlobalAveragePool', [graph.input('x', ['N', 3, 32, 32])], {}, 'y');
    graph.output('y', ['N', 3, 1, 1]);
    const headless = write('headless.onnx', graph.encode({ graphName: 'g', producer: 'a test', version: '1', doc: '', properties: {} }));
    await expect(importBackbone({ folder: headless, preprocessing: 'scale_0_1' })).rejects.toThrow('headless.onnx has no Gemm or MatMul node (a fully connected classification head) to take the features before; name the value that gives them (--feature-layer).');
    expect((await importBackbone({ folder: headless, preprocessing: 'scale_0_1', featureLayer: 'y' })).backbone).toMatchObject({ inputSize: 32, pool: true, featureSize: 3 });
    const whole = fs.readFileSync(path.join(temp.dir, 'onnx', 'named.onnx'));
    await expect(importBackbone({ folder: write('damaged.onnx', whole.subarray(0, whole.length >> 1)) })).rejects.toThrow(/^damaged\.onnx is not a readable ONNX model: it is cut short or damaged/);
    await expect(importBackbone({ folder: path.join(temp.dir, 'onnx', 'absent.onnx') })).rejects.toThrow(`${path.join(temp.dir, 'onnx', 'absent.onnx')} does not exist.`);
    // Nothing half-imported is left behind.
    expect(fs.readdirSync(path.join(temp.dir, 'models')).sort()).toEqual(['imported_bgr', 'imported_headless', 'imported_mobilenet_nhwc', 'imported_named', 'imported_resnet_like']);
  });

  it('trains a run, classifies with it in one ONNX model, and exports that model (no TensorFlow.js form)', async () => {
    const project = createProject(path.join(temp.dir, 'p.graft'));
    const photosDir = path.join(temp.dir, 'photos');
    try {
      for (let i = 0; i < 12; i++) {
        await writeJpeg(path.join(photosDir, i < 8 ? 'train' : 'test', 'red', `r${i}.jpg`), { r: 220, g: 20 + i * 5, b: 30 });
        await writeJpeg(path.join(photosDir, i < 8 ? 'train' : 'test', 'blue', `b${i}.jpg`), { r: 30, g: 20 + i * 5, b: 220 });
      }
      await importPhotos({ folders: [photosDir], folderLabels: true }, projectEnvironment(project, context));
      const run = await train({ model: 'transfer', backbone: 'imported_resnet_like', epochs: 20, seed: 1, hidden: 0, dropout: 0, learningRate: 0.05, batchSize: 8, patience: 20, crop: 'center', fineTuneEpochs: 0 }, projectEnvironment(project, context));
      expect(run).toMatchObject({ backbone: 'imported_resnet_like', featuresComputed: 24, engine: expect.stringMatching(/onnxruntime/) });
      expect(run.evaluation.accuracy).toBe(1);

      const result = await classify({ model: { runId: run.runId }, folders: [path.join(photosDir, 'test')], topK: 2 }, projectEnvironment(project, context));
      expect(result).toMatchObject({ found: 8, classified: 8, failed: 0, engine: expect.stringMatching(/onnxruntime/) });
      expect(new ClassifiedStore(project.db).summary(result.classifierId!, 0).total).toBe(8);

      const exported = await exportModel({ runId: run.runId, folder: path.join(temp.dir, 'export') }, projectEnvironment(project, context));
      expect(exported.files).toEqual(['README.md', 'graft-model.json', 'labels.txt', 'model.onnx']);
      expect(exported.verification).toMatchObject({ photos: 8, onnxAgree: 8, tfjsAgree: null });
      expect(exported.verification.maxDifference).toBeLessThan(1e-4);
      expect(exported.notes.join(' ')).toMatch(/No TensorFlow\.js model: .*imported ONNX model/);
      expect(fs.readFileSync(path.join(temp.dir, 'export', 'README.md'), 'utf8')).toMatch(/\(x \/ 255 − mean\) \/ std/);

      // Another project classifies with the exported folder, through its model.onnx.
      const other = createProject(path.join(temp.dir, 'q.graft'));
      const again = await classify({ model: { folder: path.join(temp.dir, 'export') }, folders: [path.join(photosDir, 'test')], topK: 2 }, projectEnvironment(other, context));
      other.close();
      expect(again).toMatchObject({ classified: 8, engine: expect.stringMatching(/onnxruntime/) });
    } finally {
      project.close();
    }
  }, 180_000);
});
