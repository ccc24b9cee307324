import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, pixelScaling } from '../../shared/catalogue';
import { onnxPixelModel } from '../pipeline/pixelModel';
import { adaptedModel, FEATURES_OUTPUT, withHead, type PixelAdapter } from './importedOnnx';
import { ONNX_INPUT, ONNX_OUTPUT } from './kerasToOnnx';
import { OnnxGraph } from './onnxGraph';
import { readOnnx } from './onnxModel';

const SIZE = 4;
const W = [
  [0.5, -1, 2],
  [-0.25, 1.5, 0.75],
];
const B = [0.1, -0.2];

/**
 * A tiny NCHW image model, named as Graft names its own values to see them taken back: input
 * `pixels` [N, 3, 4, 4] → 1x1 convolution → ReLU → `features` (NCHW) → also as NHWC → average →
 * a Gemm head with Softmax → `probabilities`.
 */
function tinyModel(batch: number | string): Uint8Array {
  const graph = new OnnxGraph();
  const x = graph.input('pixels', [batch, 3, SIZE, SIZE]);
  const conv = graph.node('Conv', [x, graph.floats('kernel', [2, 3, 1, 1], Float32Array.from(W.flat())), graph.floats('bias', [2], Float32Array.from(B))], { kernel_shape: [1, 1] });
  const maps = graph.node('Relu', [conv], {}, 'features');
  graph.node('Transpose', [maps], { perm: [0, 2, 3, 1] }, 'maps_nhwc');
  const pooled = graph.node('Flatten', [graph.node('GlobalAveragePool', [maps])], { axis: 1 });
  const logits = graph.node('Gemm', [pooled, graph.floats('fc_W', [2, 5], new Float32Array(10).fill(0.3)), graph.floats('fc_B', [5], new Float32Array(5))]);
  graph.node('Softmax', [logits], { axis: 1 }, 'probabilities');
  graph.output('probabilities', [batch, 5]);
  return graph.encode({ graphName: 'tiny', producer: 'a test', version: '1', doc: '', properties: {} });
}

/** What the tiny model's averaged maps are for a photo of NHWC pixels, the model fed (x/255 − mean)/std in B, G, R order. */
function expectedFeatures(photo: Uint8Array): number[] {
  const sums = [0, 0];
  for (let p = 0; p < SIZE * SIZE; p++) {
    // Each photo channel normalised with its own (R, G, B) statistics, then given to the model as B, G, R.
    const rgb = [0, 1, 2].map((c) => (photo[p * 3 + c] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]);
    const x = [rgb[2], rgb[1], rgb[0]];
    for (let k = 0; k < 2; k++) sums[k] += Math.max(0, W[k][0] * x[0] + W[k][1] * x[1] + W[k][2] * x[2] + B[k]);
  }
  return sums.map((s) => s / (SIZE * SIZE));
}

function photo(seed: number): Uint8Array {
  return Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => Math.floor((Math.sin(seed * 97 + i * 12.9898) * 0.5 + 0.5) * 255));
}

const adapter = (batch: number | string): PixelAdapter => ({ input: 'pixels', layout: 'NCHW', inputSize: SIZE, batch, scaling: pixelScaling('imagenet'), bgr: true });

describe('an imported ONNX model rewritten to take Graft’s pixels', () => {
  it('reorders, normalises and transposes the pixels, and averages an NCHW or NHWC value into the features', async () => {
    const model = readOnnx(tinyModel('N'), 'tiny.onnx');
    const photos = [photo(1), photo(2), photo(3)];
    const expected = photos.flatMap(expectedFeatures);
    for (const [value, pool] of [['features', 'NCHW'], ['maps_nhwc', 'NHWC']] as const) {
      const { bytes, outputs } = adaptedModel(model, adapter('N'), [{ value, as: 'features', pool }]);
      expect(outputs).toEqual([FEATURES_OUTPUT]);
      const rewritten = readOnnx(bytes, 'rewritten.onnx');
      // Graft's names are its own; the head and its weights are gone; the metadata says what it takes now.
      expect(rewritten.inputs.map((v) => [v.name, v.shape])).toEqual([[ONNX_INPUT, ['N', SIZE, SIZE, 3]]]);
      expect(rewritten.outputs.map((v) => v.name)).toEqual([FEATURES_OUTPUT]);
      expect(rewritten.initializers.map((t) => t.name)).not.toContain('fc_W');
      expect(rewritten.nodes.map((n) => n.opType)).not.toContain('Gemm');
      expect(rewritten.metadata.get('Image.NominalPixelRange')).toBe('NominalRange_0_255');

      const features = await onnxPixelModel(bytes, { input: ONNX_INPUT, output: FEATURES_OUTPUT }, SIZE);
      const rows = Array.from(await features.run(photos));
      await features.release();
      expect(rows).toHaveLength(expected.length);
      rows.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    }
  });

  it('runs a model of a fixed batch size on any number of photos, and appends a head that gives probabilities', async () => {
    const model = readOnnx(tinyModel(1), 'tiny.onnx');
    const { bytes } = adaptedModel(model, adapter(1), [{ value: 'features', as: 'features', pool: 'NCHW' }]);
    const head = { config: { inputSize: 2, classCount: 3, hidden: 0, dropout: 0, seed: 1 }, tensors: [{ shape: [2, 3], values: [1, -1, 0.5, 2, 0, -0.5] }, { shape: [3], values: [0, 0.1, -0.1] }] };
    const classifier = withHead(bytes, 'features.onnx', head, ['a', 'b', 'c'], { run: '7' });
    expect(Object.fromEntries(readOnnx(classifier, 'c.onnx').metadata)).toMatchObject({ labels: '["a","b","c"]', run: '7' });

    const photos = [photo(4), photo(5), photo(6)];
    const probabilities = await onnxPixelModel(classifier, { input: ONNX_INPUT, output: ONNX_OUTPUT }, SIZE);
    const rows = Array.from(await probabilities.run(photos));
    await probabilities.release();
    const expected = photos.flatMap((p) => {
      const [f0, f1] = expectedFeatures(p);
      const logits = [0, 1, 2].map((k) => f0 * head.tensors[0].values[k] + f1 * head.tensors[0].values[3 + k] + head.tensors[1].values[k]);
      const exps = logits.map((l) => Math.exp(l - Math.max(...logits)));
      return exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    });
    expect(rows).toHaveLength(9);
    rows.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('refuses features that do not depend on the photo', () => {
    const model = readOnnx(tinyModel('N'), 'tiny.onnx');
    expect(() => adaptedModel(model, adapter('N'), [{ value: 'fc_W', as: 'raw' }])).toThrow('In tiny.onnx, “fc_W” does not depend on the photo (the input “pixels”); choose a value computed from it.');
  });
});
