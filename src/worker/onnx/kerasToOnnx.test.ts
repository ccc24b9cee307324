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
import { classifierToOnnx, ONNX_INPUT, ONNX_OUTPUT } from './kerasToOnnx';

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
