import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TFLITE_BACKBONES } from '../../../shared/catalogue';
import { GraftError } from '../../../shared/api/errors';
import { floatValues } from './constants';
import { inputNormalization } from './normalization';
import { convOptions, keepDims, poolOptions, softmaxBeta } from './operatorOptions';
import { testModelsDir, testPhotosDir } from '../../../../test-support/testModels';
import { readTflite, type TfliteModel } from './tfliteModel';
import { tfliteToLayersModel } from './tfliteToLayersModel';

/** The TensorFlow Lite originals beside the reference backbones (see ../shared/README.md). */
const tfliteDir = path.join(await testModelsDir(['efficientnet_lite0_224']), 'tflite');
const files = fs.readdirSync(tfliteDir).filter((f) => f.endsWith('.tflite')).sort();

function read(file: string): TfliteModel {
  return readTflite(fs.readFileSync(path.join(tfliteDir, file)), file);
}

function operatorCounts(model: TfliteModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of model.operators) counts[op.opcode] = (counts[op.opcode] ?? 0) + 1;
  return counts;
}

describe('reading the TensorFlow Lite models in ../shared', () => {
  it('finds the four models', () => {
    expect(files).toEqual(['coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite', 'coral_mobilenet_v2_1.0_224_quant.tflite', 'coral_tf2_mobilenet_v2_1.0_224_ptq.tflite', 'modelmaker_efficientnet_lite0_int8_3class.tflite']);
  });

  it.each([
    ['coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite', { CONV_2D: 14, DEPTHWISE_CONV_2D: 13, AVERAGE_POOL_2D: 1 }, [1, 1, 1, 1024]],
    ['coral_mobilenet_v2_1.0_224_quant.tflite', { CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 }, [1, 1001]],
    ['coral_tf2_mobilenet_v2_1.0_224_ptq.tflite', { QUANTIZE: 2, CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, MEAN: 1, RESHAPE: 1, SOFTMAX: 1 }, [1, 1001]],
    ['modelmaker_efficientnet_lite0_int8_3class.tflite', { QUANTIZE: 2, MUL: 1, ADD: 10, CONV_2D: 33, DEPTHWISE_CONV_2D: 16, MEAN: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 }, [1, 3]],
  ])('%s: its operators, a uint8 photo in, and its output', (file, counts, outputShape) => {
    const model = read(file);
    expect(operatorCounts(model)).toEqual(counts);
    const input = model.tensors[model.inputs[0]];
    expect(input).toMatchObject({ shape: [1, 224, 224, 3], type: 'UINT8', data: null });
    expect(input.quantization?.scales).toHaveLength(1);
    expect(model.tensors[model.outputs[0]].shape).toEqual(outputShape);
    // Every operator's tensors exist, and every constant has the bytes its shape and type need.
    const size: Record<string, number> = { UINT8: 1, INT8: 1, INT32: 4, FLOAT32: 4 };
    for (const op of model.operators) for (const t of [...op.inputs, ...op.outputs].filter((i) => i >= 0)) expect(model.tensors[t]).toBeDefined();
    for (const t of model.tensors.filter((t) => t.data)) expect(t.data!.length).toBe(t.shape.reduce((n, d) => n * d, 1) * size[t.type]);
  });

  it('decodes the options of convolutions, pooling, softmax and mean', () => {
    const v2 = read('coral_mobilenet_v2_1.0_224_quant.tflite');
    const [stem, depthwise] = v2.operators;
    expect(convOptions(v2, stem)).toEqual({ padding: 'SAME', strides: [2, 2], dilations: [1, 1], activation: 'RELU6' });
    expect(convOptions(v2, depthwise)).toEqual({ padding: 'SAME', strides: [1, 1], dilations: [1, 1], activation: 'RELU6' });
    expect(poolOptions(v2, v2.operators.find((op) => op.opcode === 'AVERAGE_POOL_2D')!)).toEqual({ padding: 'VALID', strides: [1, 1], filter: [7, 7], activation: 'NONE' });
    expect(softmaxBeta(v2, v2.operators.at(-1)!)).toBe(1);
    const tf2 = read('coral_tf2_mobilenet_v2_1.0_224_ptq.tflite');
    expect(keepDims(tf2, tf2.operators.find((op) => op.opcode === 'MEAN')!)).toBe(true);
    const lite = read('modelmaker_efficientnet_lite0_int8_3class.tflite');
    expect(keepDims(lite, lite.operators.find((op) => op.opcode === 'MEAN')!)).toBe(false);
  });

  it('dequantizes per-channel int8 weights along their quantized dimension', () => {
    const model = read('coral_tf2_mobilenet_v2_1.0_224_ptq.tflite');
    const depthwise = model.operators.find((op) => op.opcode === 'DEPTHWISE_CONV_2D')!;
    const filter = model.tensors[depthwise.inputs[1]]; // [1, 3, 3, 32], one scale per channel (the last dimension)
    expect(filter.quantization).toMatchObject({ dimension: 3, scales: expect.any(Array) });
    expect(filter.quantization!.scales).toHaveLength(32);
    const values = floatValues(model, filter);
    const raw = new Int8Array(filter.data!.buffer, filter.data!.byteOffset, filter.data!.length);
    for (const i of [0, 1, 31, 32, 33, 287]) expect(values[i]).toBeCloseTo(raw[i] * filter.quantization!.scales[i % 32], 7);
    const conv = model.tensors[model.operators.find((op) => op.opcode === 'CONV_2D')!.inputs[1]]; // [32, 3, 3, 3], scales along dimension 0
    const convValues = floatValues(model, conv);
    const convRaw = new Int8Array(conv.data!.buffer, conv.data!.byteOffset, conv.data!.length);
    for (const i of [0, 26, 27, 863]) expect(convValues[i]).toBeCloseTo(convRaw[i] * conv.quantization!.scales[Math.floor(i / 27)], 7);
  });

  it('reads the input normalisation of the metadata, which agrees with the uint8 input quantization', () => {
    expect(inputNormalization(read('coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'))).toBeNull();
    for (const file of files.slice(1)) {
      const model = read(file);
      const normalization = inputNormalization(model)!;
      const { scales, zeroPoints } = model.tensors[model.inputs[0]].quantization!;
      // (p − mean) / std and scale · (p − zero point) within one quantization step, at both ends of the range.
      for (const p of [0, 255]) expect(Math.abs((p - normalization.mean[0]) / normalization.std[0] - scales[0] * (p - zeroPoints[0]))).toBeLessThanOrEqual(scales[0] + 1e-6);
    }
  });

  it('matches the sizes and checksums the catalogue gives for these files', () => {
    const described = TFLITE_BACKBONES.filter((b) => files.includes(`${b.id}.tflite`));
    expect(described.map((b) => b.id)).toEqual(['coral_mobilenet_v2_1.0_224_quant', 'coral_tf2_mobilenet_v2_1.0_224_ptq', 'coral_mobilenet_v1_1.0_224_quant_embedding_extractor']);
    for (const backbone of described) {
      const bytes = fs.readFileSync(path.join(tfliteDir, `${backbone.id}.tflite`));
      expect({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ bytes: backbone.source.bytes, sha256: backbone.source.sha256 });
      expect(path.basename(backbone.source.url)).toBe(`${backbone.id.replace(/^coral_/, '')}.tflite`);
    }
  });
});

describe('damaged and foreign files', () => {
  const original = fs.readFileSync(path.join(tfliteDir, 'coral_mobilenet_v2_1.0_224_quant.tflite'));

  /** Reading and converting either works or fails with a sentence naming the file; it never crashes otherwise. */
  function outcome(bytes: Uint8Array, file: string): 'converted' | string {
    try {
      tfliteToLayersModel(readTflite(bytes, `/somewhere/${file}`), { scale: 1, offset: 0 });
      return 'converted';
    } catch (error) {
      expect(error).toBeInstanceOf(GraftError);
      expect((error as GraftError).message.startsWith(`${file} `)).toBe(true);
      return (error as GraftError).message;
    }
  }

  // (Not past 3 500 000: the file ends with its label list, zipped, which the model does not need.)
  it.each([0, 3, 8, 100, 5000, 1_000_000, 3_000_000, 3_500_000])('refuses the model cut short at %i bytes', (length) => {
    expect(outcome(original.subarray(0, length), 'cut.tflite')).toMatch(/^cut\.tflite is not a readable TensorFlow Lite model: (it does not start like|it is cut short or damaged)/);
  });

  it('refuses other files: empty, a photo, random bytes, random bytes behind the right identifier', () => {
    const cats = testPhotosDir('cats_and_dogs/validation/cats');
    const photo = fs.readFileSync(path.join(cats, fs.readdirSync(cats)[0]));
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (Math.sin(i * 91.7) * 10000) & 255);
    const identified = Uint8Array.from(random);
    identified.set(Buffer.from('TFL3'), 4);
    expect(outcome(new Uint8Array(0), 'empty.tflite')).toBe('empty.tflite is not a readable TensorFlow Lite model: it does not start like a TensorFlow Lite model (no “TFL3” file identifier).');
    expect(outcome(photo, 'photo.tflite')).toMatch(/^photo\.tflite is not a readable TensorFlow Lite model: it does not start like/);
    expect(outcome(random, 'random.tflite')).toMatch(/^random\.tflite is not a readable TensorFlow Lite model/);
    expect(outcome(identified, 'identified.tflite')).toMatch(/^identified\.tflite is not a readable TensorFlow Lite model: it is cut short or damaged/);
  });

  it('with bytes overwritten in its structure, converts or says why, never crashes', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const outcomes = Array.from({ length: 24 }, () => {
      const damaged = Uint8Array.from(original);
      for (let k = 0; k < 20; k++) damaged[Math.floor(random() * 60_000)] = Math.floor(random() * 256);
      return outcome(damaged, 'damaged.tflite');
    });
    // Some damage lands in weights (still a model), some in the structure (refused).
    expect(outcomes).toContain('converted');
    expect(outcomes.some((o) => o !== 'converted')).toBe(true);
  });
});
