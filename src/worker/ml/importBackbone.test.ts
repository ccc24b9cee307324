import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBackbone, IMAGENET_MEAN, IMAGENET_STD } from '../../shared/catalogue';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { makeTempDir } from '../../../test-support/tempDir';
import { projectEnvironment } from '../../../test-support/jobEnvironment';
import { ClassifiedStore } from '../../node/data/classifiedStore';
import { createProject } from '../../node/data/project';
import { classify } from '../jobs/classify';
import { exportModel } from '../jobs/exportModel';
import { importPhotos } from '../jobs/importPhotos';
import { testModelsDir } from '../../../test-support/testModels';
import type { JobContext } from '../../shared/jobs/jobContext';
import { train } from '../jobs/train';
import { featureModel } from './features';
import { loadFeatureExtractor } from './featureExtractor';
import { importBackbone } from './importBackbone';
import { allBackbones } from '../../node/models/modelStore';
import { initTensorflow, tf } from './tensorflow';

const context: JobContext = { signal: new AbortController().signal, progress: () => {} };
let temp: ReturnType<typeof makeTempDir>;

/** A small CNN of the user's own, saved as TensorFlow.js writes layers models. */
async function saveOwnModel(folder: string): Promise<void> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, activation: 'elu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  fs.mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** A TensorFlow graph model as the converter writes one: a 3x3 convolution and a ReLU, written by hand. */
function writeGraphModel(folder: string): void {
  fs.mkdirSync(folder, { recursive: true });
  const random = (i: number) => Math.sin(i * 12.9898) * 0.5;
  const weights = Float32Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => random(i + 1));
  fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.from(weights.buffer));
  const text = (value: string) => ({ s: Buffer.from(value).toString('base64') });
  const float = { type: 'DT_FLOAT' };
  const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
  const node = [
    { name: 'pixels', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 32, 32, 3) } } },
    { name: 'kernel', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 3, 3, 4) } } } },
    { name: 'conv', op: 'Conv2D', input: ['pixels', 'kernel'], attr: { T: float, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: text('SAME'), data_format: text('NHWC'), dilations: { list: { i: ['1', '1', '1', '1'] } } } },
    { name: 'relu', op: 'Relu', input: ['conv'], attr: { T: float } },
  ];
  fs.writeFileSync(
    path.join(folder, 'model.json'),
    JSON.stringify({ format: 'graph-model', modelTopology: { node, library: {}, versions: { producer: 1 } }, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'kernel', shape: [3, 3, 3, 4], dtype: 'float32' }] }] }),
  );
}

beforeAll(async () => {
  temp = makeTempDir();
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'models');
  await initTensorflow();
});
afterAll(() => temp.remove());

describe('importing a model folder', () => {
  it('takes a Keras-converted MobileNet, finds its feature layer, and gives the catalogue entry’s features', async () => {
    const source = path.join(await testModelsDir(['mobilenet_v2_0.35_224']), 'mobilenet_v2_0.35_224');
    const { backbone, onnxProblem } = await importBackbone({ folder: source, name: 'My MobileNet', preprocessing: 'scale_-1_1' });
    expect(backbone).toMatchObject({ id: 'imported_my_mobilenet', inputSize: 224, featureLayer: 'out_relu', pool: true, featureSize: 1280 });
    expect(onnxProblem).toBeNull();
    expect(allBackbones().map((b) => b.id)).toContain('imported_my_mobilenet');

    const imported = await loadFeatureExtractor(backbone);
    const catalogue = await loadFeatureExtractor(findBackbone('mobilenet_v2_0.35')!, source);
    const pixels = tf.randomUniform([2, 224, 224, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const difference = tf.max(tf.abs(tf.sub(imported.predict(pixels) as tf.Tensor, catalogue.predict(pixels) as tf.Tensor))).dataSync()[0];
    expect(difference).toBeLessThan(1e-5);
    await expect(importBackbone({ folder: source, name: 'My MobileNet', preprocessing: 'scale_-1_1' })).rejects.toThrow(/already in the models folder/);
  });

  it('normalises pixels per channel with ImageNet’s mean and std when asked, alike in TensorFlow.js and in the converted ONNX model', async () => {
    const source = path.join(await testModelsDir(['mobilenet_v2_0.35_224']), 'mobilenet_v2_0.35_224');
    const { backbone, preprocessing, notes } = await importBackbone({ folder: source, name: 'ImageNet normalised', preprocessing: 'imagenet' });
    expect(preprocessing).toEqual({ scaling: 'imagenet', from: 'chosen' });
    expect(notes[0]).toMatch(/^Pixels: \(x \/ 255 − mean\) \/ std per channel/);
    // Whole numbers, as photos' pixels are (the ONNX model is given bytes).
    const pixels = tf.tidy(() => tf.floor(tf.randomUniform([2, 224, 224, 3], 0, 256, 'float32', 9))) as tf.Tensor4D;
    // The catalogue model scales x / 127.5 − 1: the pixels it must see to be fed (x / 255 − mean) / std.
    const mean = tf.tensor1d(IMAGENET_MEAN);
    const std = tf.tensor1d(IMAGENET_STD);
    const equivalent = tf.tidy(() => tf.mul(tf.add(tf.div(tf.sub(tf.div(pixels, 255), mean), std), 1), 127.5)) as tf.Tensor4D;
    const catalogue = await loadFeatureExtractor(findBackbone('mobilenet_v2_0.35')!, source);
    const expected = catalogue.predict(equivalent).dataSync() as Float32Array;
    const imported = await loadFeatureExtractor(backbone);
    const inTfjs = imported.predict(pixels).dataSync() as Float32Array;
    const onnx = await featureModel(backbone);
    const inOnnx = await onnx.run([0, 1].map((i) => Uint8Array.from(pixels.slice([i], [1]).dataSync())));
    await onnx.release();
    expect(Math.max(...inTfjs.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4);
    expect(Math.max(...inOnnx.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4);
    tf.dispose([pixels, mean, std, equivalent]);
    catalogue.dispose();
    imported.dispose();
  });

  it('trains, classifies and exports with the user’s own model, on TensorFlow.js where ONNX does not cover a layer', async () => {
    const own = path.join(temp.dir, 'own-model');
    await saveOwnModel(own);
    const { backbone, onnxProblem } = await importBackbone({ folder: own, name: 'tiny', preprocessing: 'scale_0_1' });
    expect(backbone).toMatchObject({ id: 'imported_tiny', inputSize: 32, featureSize: 16, pool: true });
    expect(onnxProblem).toMatch(/activation “elu”/);

    const project = createProject(path.join(temp.dir, 'p.graft'));
    try {
      for (let i = 0; i < 12; i++) {
        await writeJpeg(path.join(temp.dir, 'photos', i < 8 ? 'train' : 'test', 'red', `r${i}.jpg`), { r: 220, g: 20 + i * 5, b: 30 });
        await writeJpeg(path.join(temp.dir, 'photos', i < 8 ? 'train' : 'test', 'blue', `b${i}.jpg`), { r: 30, g: 20 + i * 5, b: 220 });
      }
      await importPhotos({ folders: [path.join(temp.dir, 'photos')], folderLabels: true }, projectEnvironment(project, context));
      const run = await train({ model: 'transfer', backbone: 'imported_tiny', epochs: 20, seed: 1, hidden: 0, dropout: 0, learningRate: 0.05, batchSize: 8, patience: 20, crop: 'center', fineTuneEpochs: 0 }, projectEnvironment(project, context));
      expect(run.backbone).toBe('imported_tiny');

      const result = await classify({ model: { runId: run.runId }, folders: [path.join(temp.dir, 'photos', 'test')], topK: 2 }, projectEnvironment(project, context));
      expect(result).toMatchObject({ found: 8, classified: 8, failed: 0 });
      expect(result.engine).toMatch(/TensorFlow\.js/);
      expect(new ClassifiedStore(project.db).summary(result.classifierId!, 0).total).toBe(8);

      const exported = await exportModel({ runId: run.runId, folder: path.join(temp.dir, 'export') }, projectEnvironment(project, context));
      expect(exported.files).not.toContain('model.onnx');
      expect(exported.notes[0]).toMatch(/No ONNX file/);
      expect(exported.verification).toMatchObject({ onnxAgree: null, tfjsAgree: exported.verification.photos });
      expect(exported.verification.maxDifference).toBeLessThan(1e-4);
      // Another project classifies with the exported folder, on TensorFlow.js.
      const other = createProject(path.join(temp.dir, 'q.graft'));
      const again = await classify({ model: { folder: path.join(temp.dir, 'export') }, folders: [path.join(temp.dir, 'photos', 'test')], topK: 2 }, projectEnvironment(other, context));
      other.close();
      expect(again).toMatchObject({ classified: 8, engine: expect.stringMatching(/TensorFlow\.js/) });
    } finally {
      project.close();
    }
  }, 60_000);

  it('imports a graph model: features from its output node, training and classifying on TensorFlow.js; export says it cannot', async () => {
    const folder = path.join(temp.dir, 'graph');
    writeGraphModel(folder);
    const { backbone, onnxProblem } = await importBackbone({ folder, name: 'graph net', preprocessing: 'scale_0_1' });
    expect(backbone).toMatchObject({ id: 'imported_graph_net', format: 'graph', inputSize: 32, featureLayer: 'relu', pool: true, featureSize: 4 });
    expect(onnxProblem).toMatch(/graph model runs on TensorFlow\.js/);

    const project = createProject(path.join(temp.dir, 'g.graft'));
    try {
      await importPhotos({ folders: [path.join(temp.dir, 'photos')], folderLabels: true }, projectEnvironment(project, context));
      const run = await train({ model: 'transfer', backbone: backbone.id, epochs: 20, seed: 1, hidden: 0, dropout: 0, learningRate: 0.05, batchSize: 8, patience: 20, crop: 'center', fineTuneEpochs: 0 }, projectEnvironment(project, context));
      expect(run.featuresComputed).toBe(24);
      const result = await classify({ model: { runId: run.runId }, folders: [path.join(temp.dir, 'photos', 'test')], topK: 2 }, projectEnvironment(project, context));
      expect(result).toMatchObject({ found: 8, classified: 8, failed: 0, engine: expect.stringMatching(/TensorFlow\.js/) });
      await expect(exportModel({ runId: run.runId, folder: path.join(temp.dir, 'graph-export') }, projectEnvironment(project, context))).rejects.toThrow(/graph model cannot be exported/);
      expect(fs.existsSync(path.join(temp.dir, 'graph-export'))).toBe(false);
    } finally {
      project.close();
    }
  });

  it('refuses a folder without a model, saying why', async () => {
    await expect(importBackbone({ folder: temp.dir, preprocessing: 'scale_-1_1' })).rejects.toThrow(/no model\.json/);
    expect(fs.readdirSync(path.join(temp.dir, 'models')).sort()).toEqual(['imported_graph_net', 'imported_imagenet_normalised', 'imported_my_mobilenet', 'imported_tiny']);
  });
});
