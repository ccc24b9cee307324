import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { findBackbone, pixelScaling } from '../../shared/catalogue';
import { loadBackboneModel, loadFeatureExtractor } from '../ml/featureExtractor';
import { Head } from '../ml/head';
import { photoPixels } from '../../node/photos/decode';
import { initTensorflow, tf } from '../ml/tensorflow';
import { testPhotosDir, useTestModels } from '../../../test-support/testModels';
import { classifierToOnnx, ONNX_INPUT, ONNX_OUTPUT, TRUNK_OUTPUT, trunkToOnnx } from './kerasToOnnx';

const photosDir = testPhotosDir('cats_and_dogs/validation/dogs');

beforeAll(async () => {
  await useTestModels(['mobilenet_v2_0.35_224', 'mobilenet_v1_0.75_224']);
  await initTensorflow();
});

// Both test backbones (test-support/testModels.ts), with a seeded random head (hidden layer for one of them):
// the ONNX model must give what tfjs gives, on real photos, within 1e-4.
describe.each([
  ['mobilenet_v2_0.35', 0],
  ['mobilenet_v1_0.75', 16],
])('ONNX conversion of %s', (id, hidden) => {
  it('matches tfjs within 1e-4 on real photos', async () => {
    const backbone = findBackbone(id)!;
    const head = new Head({ inputSize: backbone.featureSize, classCount: 3, hidden, dropout: 0.5, seed: 3 });
    const weights = await head.toJSON();
    const bytes = classifierToOnnx({ backbone: await loadBackboneModel(backbone), featureLayer: backbone.featureLayer, pool: backbone.pool, inputSize: backbone.inputSize, head: weights, labels: ['a', 'b', 'c'], scaling: pixelScaling(backbone.preprocessing), properties: {} });
    const session = await ort.InferenceSession.create(bytes);

    const files = fs.readdirSync(photosDir).sort().slice(0, 6);
    const size = backbone.inputSize;
    const pixels = new Float32Array(files.length * size * size * 3);
    for (const [i, file] of files.entries()) pixels.set(await photoPixels(path.join(photosDir, file), size, 'center'), i * size * size * 3);
    const output = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [files.length, size, size, 3]) });
    const onnx = Array.from(output[ONNX_OUTPUT].data as Float32Array);

    const extractor = await loadFeatureExtractor(backbone);
    const features = tf.tidy(() => extractor.predict(tf.tensor4d(pixels, [files.length, size, size, 3])) as tf.Tensor);
    const expected = (await head.predict(features)).flat();
    expect(onnx).toHaveLength(expected.length);
    const worst = Math.max(...onnx.map((v, i) => Math.abs(v - expected[i])));
    expect(worst).toBeLessThan(1e-4);
    // Not a trivially constant output: the photos get different probabilities.
    expect(new Set(onnx.map((v) => v.toFixed(4))).size).toBeGreaterThan(3);
  }, 60_000);
});

// The layers Graft's TensorFlow Lite import writes, on an odd-sized input (SAME padding then
// differs from symmetric), with layer names that ONNX nodes also take ('add', 'mul', 'relu') or
// that name the graph's outputs ('features', 'probabilities'): the graph stays valid and matches tfjs.
describe('ONNX conversion of the layers TensorFlow Lite models become', () => {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  function model(): tf.LayersModel {
    const pixels = tf.input({ shape: [9, 9, 3] });
    const scaled = tf.layers.rescaling({ scale: 1 / 128, offset: -1, name: 'add' }).apply(pixels) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6', kernelInitializer: seeded(1), biasInitializer: 'ones', name: 'features' }).apply(scaled) as tf.SymbolicTensor;
    const max = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'mul' }).apply(conv) as tf.SymbolicTensor;
    const average = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'relu' }).apply(max) as tf.SymbolicTensor;
    const squeezed = tf.layers.reshape({ targetShape: [1, 1, 6] }).apply(tf.layers.globalAveragePooling2d({}).apply(average)) as tf.SymbolicTensor;
    const gate = tf.layers.activation({ activation: 'sigmoid' }).apply(squeezed) as tf.SymbolicTensor;
    const excited = tf.layers.multiply({ name: 'probabilities' }).apply([average, gate]) as tf.SymbolicTensor;
    const depthwise = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: seeded(2) }).apply(excited) as tf.SymbolicTensor;
    const dilated = tf.layers.conv2d({ filters: 12, kernelSize: 3, dilationRate: 2, padding: 'same', kernelInitializer: seeded(5) }).apply(depthwise) as tf.SymbolicTensor;
    const regrouped = tf.layers.reshape({ targetShape: [6, 3, 6] }).apply(dilated) as tf.SymbolicTensor;
    const flat = tf.layers.reshape({ targetShape: [108] }).apply(regrouped) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: seeded(3), biasInitializer: 'ones', name: 'embedding' }).apply(flat) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: seeded(4) }).apply(dense) as tf.SymbolicTensor;
    return tf.model({ inputs: pixels, outputs: output });
  }
  const scaling = { scale: 1 / 255, offset: 0 };
  const pixels = Float32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => 127.5 + 127 * Math.sin(i * 0.37));
  const tfjsPixels = () => tf.tidy(() => tf.add(tf.mul(tf.tensor4d(pixels, [2, 9, 9, 3]), scaling.scale), scaling.offset));

  it('matches tfjs to its output (softmax), and under a head from a 2-D feature layer', async () => {
    const backbone = model();
    const trunk = await ort.InferenceSession.create(trunkToOnnx(backbone, backbone.outputs[0].sourceLayer.name, 9, scaling));
    const trunkOutput = (await trunk.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [2, 9, 9, 3]) }))[TRUNK_OUTPUT].data as Float32Array;
    const expected = tf.tidy(() => Array.from((backbone.predict(tfjsPixels()) as tf.Tensor).dataSync()));
    expect(Math.max(...expected.map((v, i) => Math.abs(v - trunkOutput[i])))).toBeLessThan(1e-5);
    expect(new Set(expected.map((v) => v.toFixed(4))).size).toBeGreaterThan(5);

    const head = new Head({ inputSize: 8, classCount: 3, hidden: 0, dropout: 0, seed: 5 });
    const classifier = await ort.InferenceSession.create(classifierToOnnx({ backbone, featureLayer: 'embedding', pool: false, inputSize: 9, head: await head.toJSON(), labels: ['a', 'b', 'c'], scaling, properties: {} }));
    const probabilities = (await classifier.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, [2, 9, 9, 3]) }))[ONNX_OUTPUT].data as Float32Array;
    const embedding = tf.model({ inputs: backbone.inputs, outputs: backbone.getLayer('embedding').output as tf.SymbolicTensor });
    const headExpected = (await head.predict(tf.tidy(() => embedding.predict(tfjsPixels()) as tf.Tensor))).flat();
    expect(Math.max(...headExpected.map((v, i) => Math.abs(v - probabilities[i])))).toBeLessThan(1e-5);
    head.dispose();
  });

  it('refuses by name what it would convert wrongly: a softmax over a 4-D value, a dilated depthwise convolution', () => {
    const pixels4 = tf.input({ shape: [4, 4, 3] });
    const softmax = tf.layers.activation({ activation: 'softmax', name: 'channel_softmax' }).apply(pixels4) as tf.SymbolicTensor;
    expect(() => trunkToOnnx(tf.model({ inputs: pixels4, outputs: softmax }), 'channel_softmax', 4, scaling)).toThrow('The ONNX export does not support channel_softmax: softmax over a 4-D value.');
    const dilated = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same', name: 'dilated' }).apply(pixels4) as tf.SymbolicTensor;
    expect(() => trunkToOnnx(tf.model({ inputs: pixels4, outputs: dilated }), 'dilated', 4, scaling)).toThrow('The ONNX export does not support dilated: dilated DepthwiseConv2D (TensorFlow.js ignores the dilation).');
  });
});
