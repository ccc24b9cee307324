// Small TensorFlow Lite models written in the test, one group of operators each, converted and run
// on TensorFlow.js and (through Graft's Keras→ONNX converter) on onnxruntime, against the same
// operators computed directly with loops (test-support/nhwcReference.ts).
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, depthwiseConv2d, fullyConnected, hardSwish, image, map, pad, pool, relu6, sigmoid, softmax, spatialMean, type Image } from '../../../../test-support/nhwcReference';
import { bytes, writeTflite, type ModelSpec } from '../../../../test-support/tfliteWriter';
import { ONNX_INPUT, TRUNK_OUTPUT, trunkToOnnx } from '../../onnx/kerasToOnnx';
import { initTensorflow, tf } from '../tensorflow';
import { readTflite } from './tfliteModel';
import type { PixelScaling } from '../../../shared/catalogue';
import { tfliteToLayersModel } from './tfliteToLayersModel';

const PIXELS_AS_THEY_ARE: PixelScaling = { scale: 1, offset: 0 };

/** Seeded values in [-amplitude, amplitude). */
function values(count: number, seed: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin((i + 1) * 12.9898 + seed * 78.233) * amplitude);
}

function pixels(size: number, seed = 1): Image {
  return image([size, size, 3], (y, x, c) => 127.5 + 127 * Math.sin(y * 0.7 + x * 1.3 + c * 2.1 + seed));
}

/** Converts the model and runs it on TensorFlow.js (on the pixels as Graft scales them) and on onnxruntime (which scales them itself). */
async function run(spec: ModelSpec, input: Image, scaling = PIXELS_AS_THEY_ARE): Promise<{ tfjs: Float32Array; onnx: Float32Array }> {
  const converted = tfliteToLayersModel(readTflite(writeTflite(spec), 'synthetic.tflite'), scaling);
  const model = await tf.loadLayersModel(tf.io.fromMemory(converted.artifacts));
  const scaled = tf.tidy(() => tf.add(tf.mul(tf.tensor4d(input.data, [1, ...input.shape]), scaling.scale), scaling.offset));
  const tfjs = tf.tidy(() => (model.predict(scaled) as tf.Tensor).dataSync() as Float32Array);
  const session = await ort.InferenceSession.create(trunkToOnnx(model, converted.outputLayer, input.shape[0], scaling));
  const output = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input.data, [1, ...input.shape]) });
  tf.dispose(scaled);
  model.dispose();
  return { tfjs, onnx: output[TRUNK_OUTPUT].data as Float32Array };
}

/** Both engines give the directly computed values, to float32 rounding. */
function expectClose(actual: { tfjs: Float32Array; onnx: Float32Array }, expected: Float32Array): void {
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (const values of [actual.tfjs, actual.onnx]) {
    expect(values).toHaveLength(expected.length);
    expect(Math.max(...values.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4 * scale);
  }
  // Not trivially constant.
  expect(new Set(Array.from(expected, (v) => v.toFixed(3))).size).toBeGreaterThan(1);
}

const int32 = (...v: number[]) => bytes(Int32Array.from(v));

beforeAll(async () => {
  await initTensorflow();
});

describe('converting TensorFlow Lite operators', () => {
  // 10 and 11 pixels: stride 2 then meets even and odd sizes, where SAME pads differently.
  it.each([10, 11])('CONV_2D (dilated too) and DEPTHWISE_CONV_2D (multiplier 2), with fused activations, pad SAME as TensorFlow, at size %i', async (size) => {
    const [a, b] = [Math.ceil(size / 2), Math.ceil(size / 4)];
    const f1 = values(4 * 3 * 3 * 3, 1, 0.02);
    const b1 = values(4, 2);
    const f2 = values(3 * 3 * 8, 3);
    const b2 = values(8, 4);
    const f3 = values(2 * 3 * 3 * 8, 5);
    const spec: ModelSpec = {
      tensors: [
        { name: 'pixels', shape: [1, size, size, 3] },
        { name: 'conv/filter', shape: [4, 3, 3, 3], data: bytes(f1) },
        { name: 'conv/bias', shape: [4], data: bytes(b1) },
        { name: 'conv', shape: [1, a, a, 4] },
        { name: 'depthwise/filter', shape: [1, 3, 3, 8], data: bytes(f2) },
        { name: 'depthwise/bias', shape: [8], data: bytes(b2) },
        { name: 'depthwise', shape: [1, b, b, 8] },
        { name: 'dilated/filter', shape: [2, 3, 3, 8], data: bytes(f3) },
        { name: 'dilated', shape: [1, b, b, 2] },
      ],
      operators: [
        { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: { conv: { padding: 'SAME', strides: [2, 2], activation: 'RELU6' } } },
        { op: 'DEPTHWISE_CONV_2D', inputs: [3, 4, 5], outputs: [6], options: { depthwise: { padding: 'SAME', strides: [2, 2], depthMultiplier: 2, activation: 'RELU' } } },
        { op: 'CONV_2D', inputs: [6, 7, -1], outputs: [8], options: { conv: { padding: 'SAME', strides: [1, 1], dilations: [2, 2] } } },
      ],
      inputs: [0],
      outputs: [8],
    };
    const input = pixels(size);
    const conv = map(conv2d(input, f1, [4, 3, 3, 3], b1, [2, 2], 'SAME'), relu6);
    const depthwise = map(depthwiseConv2d(conv, f2, [1, 3, 3, 8], b2, [2, 2], 'SAME'), (v) => Math.max(v, 0));
    expectClose(await run(spec, input), conv2d(depthwise, f3, [2, 3, 3, 8], null, [1, 1], 'SAME', [2, 2]).data);
  });

  it('MAX_POOL_2D and AVERAGE_POOL_2D (SAME averages only the pixels inside), with a fused RELU', async () => {
    const spec: ModelSpec = {
      tensors: [
        { name: 'pixels', shape: [1, 10, 10, 3] },
        { name: 'max', shape: [1, 5, 5, 3] },
        { name: 'average_same', shape: [1, 3, 3, 3] },
        { name: 'average_valid', shape: [1, 2, 2, 3] },
      ],
      operators: [
        { op: 'MAX_POOL_2D', inputs: [0], outputs: [1], options: { pool: { padding: 'SAME', strides: [2, 2], filter: [3, 3] } } },
        { op: 'AVERAGE_POOL_2D', inputs: [1], outputs: [2], options: { pool: { padding: 'SAME', strides: [2, 2], filter: [3, 3] } } },
        { op: 'AVERAGE_POOL_2D', inputs: [2], outputs: [3], options: { pool: { padding: 'VALID', strides: [1, 1], filter: [2, 2], activation: 'RELU' } } },
      ],
      inputs: [0],
      outputs: [3],
    };
    // Centred on zero so that the ReLU cuts.
    const input = image([10, 10, 3], (y, x, c) => 50 * Math.sin(y * 1.1 + x * 0.4 + c));
    const max = pool(input, 'max', [3, 3], [2, 2], 'SAME');
    const average = pool(max, 'average', [3, 3], [2, 2], 'SAME');
    expectClose(await run(spec, input), map(pool(average, 'average', [2, 2], [1, 1], 'VALID'), (v) => Math.max(v, 0)).data);
  });

  it('HARD_SWISH, LOGISTIC, MEAN keeping dims, MUL and ADD of tensors and of constants, RELU and RELU6 (a squeeze-and-excite block)', async () => {
    const filter = values(6 * 3, 1, 0.02);
    const bias = values(6, 2, 3);
    const perChannel = values(6, 3, 2);
    const spec: ModelSpec = {
      tensors: [
        { name: 'pixels', shape: [1, 8, 8, 3] },
        { name: 'expand/filter', shape: [6, 1, 1, 3], data: bytes(filter) },
        { name: 'expand/bias', shape: [6], data: bytes(bias) },
        { name: 'expand', shape: [1, 8, 8, 6] },
        { name: 'hard_swish', shape: [1, 8, 8, 6] },
        { name: 'squeeze/axes', shape: [2], type: 'INT32', data: int32(1, 2) },
        { name: 'squeeze', shape: [1, 1, 1, 6] },
        { name: 'gate', shape: [1, 1, 1, 6] },
        { name: 'excite', shape: [1, 8, 8, 6] },
        { name: 'half', shape: [], data: bytes(Float32Array.of(0.5)) },
        { name: 'halved', shape: [1, 8, 8, 6] },
        { name: 'shift', shape: [6], data: bytes(perChannel) },
        { name: 'shifted', shape: [1, 8, 8, 6] },
        { name: 'residual', shape: [1, 8, 8, 6] },
        { name: 'relu', shape: [1, 8, 8, 6] },
        { name: 'scale', shape: [1, 1, 1, 6], data: bytes(perChannel.map((v) => v + 3)) },
        { name: 'scaled', shape: [1, 8, 8, 6] },
        { name: 'relu6', shape: [1, 8, 8, 6] },
      ],
      operators: [
        { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], options: { conv: { padding: 'VALID', strides: [1, 1] } } },
        { op: 'HARD_SWISH', inputs: [3], outputs: [4] },
        { op: 'MEAN', inputs: [4, 5], outputs: [6], options: { reducer: { keepDims: true } } },
        { op: 'LOGISTIC', inputs: [6], outputs: [7] },
        { op: 'MUL', inputs: [4, 7], outputs: [8], options: { mul: { activation: 'NONE' } } },
        { op: 'MUL', inputs: [9, 8], outputs: [10], options: { mul: { activation: 'NONE' } } },
        { op: 'ADD', inputs: [10, 11], outputs: [12], options: { add: { activation: 'RELU6' } } },
        { op: 'ADD', inputs: [12, 4], outputs: [13], options: { add: { activation: 'NONE' } } },
        { op: 'RELU', inputs: [13], outputs: [14] },
        { op: 'MUL', inputs: [14, 15], outputs: [16], options: { mul: { activation: 'RELU' } } },
        { op: 'RELU6', inputs: [16], outputs: [17] },
      ],
      inputs: [0],
      outputs: [17],
    };
    const input = pixels(8);
    const swished = map(conv2d(input, filter, [6, 1, 1, 3], bias, [1, 1], 'VALID'), hardSwish);
    const gate = spatialMean(swished).map(sigmoid);
    const excited = map(swished, (v, c) => relu6(v * gate[c] * 0.5 + perChannel[c]));
    const residual = { shape: swished.shape, data: excited.data.map((v, i) => Math.max(v + swished.data[i], 0)) };
    expectClose(await run(spec, input), map(residual, (v, c) => relu6(Math.max(v * (perChannel[c] + 3), 0))).data);
  });

  it('PAD, RESHAPE (4-D to 4-D and to 2-D), MEAN without keep_dims, FULLY_CONNECTED and SOFTMAX with beta', async () => {
    const filter = values(4 * 3 * 3 * 3, 1, 0.02);
    const w1 = values(3 * 100, 2);
    const b1 = values(3, 3);
    const w2 = values(3 * 4, 4, 2);
    const spec: ModelSpec = {
      tensors: [
        { name: 'pixels', shape: [1, 8, 8, 3] },
        { name: 'pad/amounts', shape: [4, 2], type: 'INT32', data: int32(0, 0, 1, 2, 2, 1, 0, 0) },
        { name: 'padded', shape: [1, 11, 11, 3] },
        { name: 'conv/filter', shape: [4, 3, 3, 3], data: bytes(filter) },
        { name: 'conv', shape: [1, 5, 5, 4] },
        { name: 'reshape/shape', shape: [4], type: 'INT32', data: int32(1, 10, 5, 2) },
        { name: 'reshaped', shape: [1, 10, 5, 2] },
        { name: 'flat/shape', shape: [2], type: 'INT32', data: int32(1, 100) },
        { name: 'flat', shape: [1, 100] },
        { name: 'dense/weights', shape: [3, 100], data: bytes(w1) },
        { name: 'dense/bias', shape: [3], data: bytes(b1) },
        { name: 'dense', shape: [1, 3] },
        { name: 'mean/axes', shape: [2], type: 'INT32', data: int32(-3, -2) },
        { name: 'mean', shape: [1, 4] },
        { name: 'dense2/weights', shape: [3, 4], data: bytes(w2) },
        { name: 'dense2', shape: [1, 3] },
        { name: 'logits', shape: [1, 3] },
        { name: 'probabilities', shape: [1, 3] },
      ],
      operators: [
        { op: 'PAD', inputs: [0, 1], outputs: [2] },
        { op: 'CONV_2D', inputs: [2, 3, -1], outputs: [4], options: { conv: { padding: 'VALID', strides: [2, 2] } } },
        { op: 'RESHAPE', inputs: [4, 5], outputs: [6] },
        { op: 'RESHAPE', inputs: [6, 7], outputs: [8] },
        { op: 'FULLY_CONNECTED', inputs: [8, 9, 10], outputs: [11], options: { fullyConnected: {} } },
        { op: 'MEAN', inputs: [4, 12], outputs: [13], options: { reducer: { keepDims: false } } },
        { op: 'FULLY_CONNECTED', inputs: [13, 14, -1], outputs: [15], options: { fullyConnected: { activation: 'RELU' } } },
        { op: 'ADD', inputs: [11, 15], outputs: [16], options: { add: { activation: 'NONE' } } },
        { op: 'SOFTMAX', inputs: [16], outputs: [17], options: { softmax: { beta: 0.5 } } },
      ],
      inputs: [0],
      outputs: [17],
    };
    const input = pixels(8);
    const conv = conv2d(pad(input, [1, 2], [2, 1]), filter, [4, 3, 3, 3], null, [2, 2], 'VALID');
    // Both reshapes keep the row-major order of the NHWC values.
    const logits = fullyConnected(conv.data, w1, b1, 3).map((v, i) => v + Math.max(fullyConnected(spatialMean(conv), w2, null, 3)[i], 0));
    expectClose(await run(spec, input), softmax(logits, 0.5));
  });

  it('dequantizes int8 per-channel, uint8 per-tensor and float16 weights (DEQUANTIZE), and passes QUANTIZE through', async () => {
    const q1 = Int8Array.from(values(4 * 27, 1, 127), Math.round);
    const s1 = [0.001, 0.002, 0.0015, 0.0005];
    const qb1 = Int32Array.from([100, -200, 300, -400]);
    const q2 = Uint8Array.from(values(36, 2, 120), (v) => Math.round(v + 128));
    // Half precision bits of 0.5, -0.25, 1.5 and -2.
    const half = Uint16Array.of(0x3800, 0xb400, 0x3e00, 0xc000);
    const q3 = Int8Array.from(values(2 * 64, 4, 127), Math.round);
    const s3 = [0.01, 0.03];
    const spec: ModelSpec = {
      tensors: [
        { name: 'pixels', shape: [1, 8, 8, 3] },
        { name: 'quantized', shape: [1, 8, 8, 3], type: 'INT8', quantization: { scales: [1], zeroPoints: [-128] } },
        { name: 'conv/filter', shape: [4, 3, 3, 3], type: 'INT8', data: bytes(q1), quantization: { scales: s1, zeroPoints: [0, 0, 0, 0], dimension: 0 } },
        { name: 'conv/bias', shape: [4], type: 'INT32', data: bytes(qb1), quantization: { scales: s1.map((s) => s / 100), zeroPoints: [0, 0, 0, 0] } },
        { name: 'conv', shape: [1, 4, 4, 4] },
        { name: 'depthwise/filter', shape: [1, 3, 3, 4], type: 'UINT8', data: bytes(q2), quantization: { scales: [0.004], zeroPoints: [128] } },
        { name: 'depthwise/bias16', shape: [4], type: 'FLOAT16', data: bytes(half) },
        { name: 'depthwise/bias', shape: [4] },
        { name: 'depthwise', shape: [1, 4, 4, 4] },
        { name: 'dense/weights', shape: [2, 64], type: 'INT8', data: bytes(q3), quantization: { scales: s3, zeroPoints: [0, 0], dimension: 0 } },
        { name: 'dense', shape: [1, 2] },
      ],
      operators: [
        { op: 'QUANTIZE', inputs: [0], outputs: [1] },
        { op: 'CONV_2D', inputs: [1, 2, 3], outputs: [4], options: { conv: { padding: 'SAME', strides: [2, 2] } } },
        { op: 'DEQUANTIZE', inputs: [6], outputs: [7] },
        { op: 'DEPTHWISE_CONV_2D', inputs: [4, 5, 7], outputs: [8], options: { depthwise: { padding: 'SAME', strides: [1, 1], depthMultiplier: 1 } } },
        // TFLite flattens a 4-D input of FULLY_CONNECTED.
        { op: 'FULLY_CONNECTED', inputs: [8, 9, -1], outputs: [10], options: { fullyConnected: {} } },
      ],
      inputs: [0],
      outputs: [10],
    };
    const f1 = Float32Array.from(q1, (q, i) => s1[Math.floor(i / 27)] * q);
    const b1 = Float32Array.from(qb1, (q, i) => (s1[i] / 100) * q);
    const f2 = Float32Array.from(q2, (q) => 0.004 * (q - 128));
    const b2 = Float32Array.of(0.5, -0.25, 1.5, -2);
    const w3 = Float32Array.from(q3, (q, i) => s3[Math.floor(i / 64)] * q);
    const input = pixels(8);
    const depthwise = depthwiseConv2d(conv2d(input, f1, [4, 3, 3, 3], b1, [2, 2], 'SAME'), f2, [1, 3, 3, 4], b2, [1, 1], 'SAME');
    expectClose(await run(spec, input), fullyConnected(depthwise.data, w3, null, 2));
  });
});

describe('the input mapping: Graft’s scaled pixels to what the model takes', () => {
  const filter = values(2 * 3, 1);
  const model = (input: ModelSpec['tensors'][number], normalization?: ModelSpec['normalization']): ModelSpec => ({
    tensors: [input, { name: 'conv/filter', shape: [2, 1, 1, 3], data: bytes(filter) }, { name: 'conv', shape: [1, 8, 8, 2] }],
    operators: [{ op: 'CONV_2D', inputs: [0, 1, -1], outputs: [2], options: { conv: { padding: 'VALID', strides: [1, 1] } } }],
    inputs: [0],
    outputs: [2],
    normalization,
  });
  const input = pixels(8);
  const expected = (value: (p: number, c: number) => number) => conv2d(map(input, value), filter, [2, 1, 1, 3], null, [1, 1], 'VALID').data;
  const scale11 = { scale: 1 / 127.5, offset: -1 };

  it('uint8 input: the pixel is the quantized value', async () => {
    const spec = model({ name: 'pixels', shape: [1, 8, 8, 3], type: 'UINT8', quantization: { scales: [1 / 128], zeroPoints: [128] } });
    expectClose(await run(spec, input, scale11), expected((p) => (p - 128) / 128));
  });

  it('int8 input: the pixel minus 128 is the quantized value', async () => {
    const spec = model({ name: 'pixels', shape: [1, 8, 8, 3], type: 'INT8', quantization: { scales: [0.02], zeroPoints: [-1] } });
    expectClose(await run(spec, input, { scale: 1 / 255, offset: 0 }), expected((p) => 0.02 * (p - 128 + 1)));
  });

  it('float input: the normalisation in its metadata, per channel', async () => {
    const [mean, std] = [[123.675, 116.28, 103.53], [58.395, 57.12, 57.375]];
    const spec = model({ name: 'pixels', shape: [1, 8, 8, 3] }, { mean, std });
    expectClose(await run(spec, input, scale11), expected((p, c) => (p - mean[c]) / std[c]));
  });

  it('float input without metadata: the pixels as the caller’s preprocessing scales them', async () => {
    const spec = model({ name: 'pixels', shape: [1, 8, 8, 3] });
    expectClose(await run(spec, input, { scale: 1 / 255, offset: 0 }), expected((p) => p / 255));
  });
});

describe('what it cannot convert, it refuses in a sentence naming the file and the reason', () => {
  const tensors: ModelSpec['tensors'] = [
    { name: 'pixels', shape: [1, 8, 8, 3] },
    { name: 'out', shape: [1, 8, 8, 3] },
  ];
  const refusal = (spec: ModelSpec) => () => tfliteToLayersModel(readTflite(writeTflite(spec), '/photos/models/model.tflite'), PIXELS_AS_THEY_ARE);

  it.each([
    ['RESIZE_BILINEAR', 'model.tflite uses the operator RESIZE_BILINEAR, which Graft cannot import yet.'],
    // Above 127: only OperatorCode.builtin_code holds it (deprecated_builtin_code says 127).
    ['GELU', 'model.tflite uses the operator GELU, which Graft cannot import yet.'],
  ])('an operator it does not know (%s)', (op, message) => {
    expect(refusal({ tensors, operators: [{ op, inputs: [0], outputs: [1] }], inputs: [0], outputs: [1] })).toThrow(message);
  });

  it('a custom operator, with others', () => {
    const operators = [
      { op: { custom: 'TFLite_Detection_PostProcess' }, inputs: [0], outputs: [1] },
      { op: 'RESIZE_BILINEAR', inputs: [0], outputs: [1] },
      { op: 'GELU', inputs: [0], outputs: [1] },
    ];
    expect(refusal({ tensors, operators, inputs: [0], outputs: [1] })).toThrow('model.tflite uses the operators RESIZE_BILINEAR and GELU and the custom operator TFLite_Detection_PostProcess, which Graft cannot import yet.');
  });

  it('a fused activation it does not convert', () => {
    const spec: ModelSpec = {
      tensors: [...tensors, { name: 'filter', shape: [3, 1, 1, 3], data: bytes(values(9, 1)) }],
      operators: [{ op: 'CONV_2D', inputs: [0, 2, -1], outputs: [1], options: { conv: { padding: 'SAME', strides: [1, 1], activation: 'TANH' } } }],
      inputs: [0],
      outputs: [1],
    };
    expect(refusal(spec)).toThrow('model.tflite uses the fused activation TANH (in its CONV_2D operator), which Graft cannot import yet.');
  });

  it('a dilated depthwise convolution, which TensorFlow.js’s layer computes without its dilation', () => {
    const spec: ModelSpec = {
      tensors: [...tensors, { name: 'filter', shape: [1, 3, 3, 3], data: bytes(values(27, 1)) }],
      operators: [{ op: 'DEPTHWISE_CONV_2D', inputs: [0, 2, -1], outputs: [1], options: { depthwise: { padding: 'SAME', strides: [1, 1], depthMultiplier: 1, dilations: [2, 2] } } }],
      inputs: [0],
      outputs: [1],
    };
    expect(refusal(spec)).toThrow('model.tflite has a dilated DEPTHWISE_CONV_2D, which TensorFlow.js’s layers cannot compute yet.');
  });

  it('an operator without the inputs it needs (a damaged file)', () => {
    const spec: ModelSpec = { tensors, operators: [{ op: 'CONV_2D', inputs: [0, -1], outputs: [1], options: { conv: { padding: 'SAME', strides: [1, 1] } } }], inputs: [0], outputs: [1] };
    expect(refusal(spec)).toThrow('model.tflite is damaged: its CONV_2D operator (number 0) lacks an input or its output.');
  });

  it('a MEAN over channels', () => {
    const spec: ModelSpec = {
      tensors: [tensors[0], { name: 'mean', shape: [1, 8, 8] }, { name: 'axes', shape: [1], type: 'INT32', data: int32(3) }],
      operators: [{ op: 'MEAN', inputs: [0, 2], outputs: [1], options: { reducer: { keepDims: false } } }],
      inputs: [0],
      outputs: [1],
    };
    expect(refusal(spec)).toThrow('model.tflite takes a MEAN over axes [3] of a 4-D tensor; Graft imports only the mean over height and width.');
  });

  it('an input that is not one square RGB photo', () => {
    const spec: ModelSpec = { tensors: [{ name: 'pixels', shape: [1, 8, 10, 3] }, { name: 'out', shape: [1, 8, 10, 3] }], operators: [{ op: 'RELU', inputs: [0], outputs: [1] }], inputs: [0], outputs: [1] };
    expect(refusal(spec)).toThrow('model.tflite takes input of shape [1, 8, 10, 3]; Graft needs one square RGB photo ([1, size, size, 3]).');
  });
});
