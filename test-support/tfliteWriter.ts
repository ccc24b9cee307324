/**
 * Writes small TensorFlow Lite models with flatbuffers.Builder, for tests of Graft's reader and
 * converter on operators and encodings the real models in ../shared do not use. The schema's
 * field ids and enum values are restated here from schema.fbs on purpose, rather than imported
 * from the reader: a wrong id in the reader then fails the tests instead of agreeing with itself.
 */
import { Builder } from 'flatbuffers';

const OPERATORS: Record<string, number> = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, FULLY_CONNECTED: 9, LOGISTIC: 14, MAX_POOL_2D: 17,
  MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, CUSTOM: 32, PAD: 34, MEAN: 40, QUANTIZE: 114, HARD_SWISH: 117, GELU: 150,
};
const TYPES = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;
const PADDING = { SAME: 0, VALID: 1 } as const;
const ACTIVATION = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 } as const;

export type TensorType = keyof typeof TYPES;
export type Activation = keyof typeof ACTIVATION;

export interface TensorSpec {
  name: string;
  shape: number[];
  type?: TensorType;
  /** A constant's little-endian bytes (see `bytes`). */
  data?: Uint8Array;
  quantization?: { scales: number[]; zeroPoints: number[]; dimension?: number };
}

interface Window {
  padding: keyof typeof PADDING;
  strides: [number, number];
  activation?: Activation;
}

/** Builtin options: the kind of table, and its values. */
export type OptionsSpec =
  | { conv: Window & { dilations?: [number, number] } }
  | { depthwise: Window & { depthMultiplier: number; dilations?: [number, number] } }
  | { pool: Window & { filter: [number, number] } }
  | { fullyConnected: { activation?: Activation; keepNumDims?: boolean } }
  | { softmax: { beta: number } }
  | { add: { activation: Activation } }
  | { mul: { activation: Activation } }
  | { reducer: { keepDims: boolean } };

export interface OperatorSpec {
  /** A builtin's name, or a custom operator's code. */
  op: string | { custom: string };
  inputs: number[];
  outputs: number[];
  options?: OptionsSpec;
}

export interface ModelSpec {
  tensors: TensorSpec[];
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
  /** NormalizationOptions for the first input, in TFLITE_METADATA. */
  normalization?: { mean: number[]; std: number[] };
}

/** The little-endian bytes of typed values. */
export function bytes(values: Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

function vector(builder: Builder, size: number, values: number[], add: (v: number) => void): number {
  builder.startVector(size, values.length, size);
  for (let i = values.length - 1; i >= 0; i--) add(values[i]);
  return builder.endVector();
}

function int32s(builder: Builder, values: number[]): number {
  return vector(builder, 4, values, (v) => builder.addInt32(v));
}

function floats(builder: Builder, values: number[]): number {
  return vector(builder, 4, values, (v) => builder.addFloat32(v));
}

function offsets(builder: Builder, values: number[]): number {
  return vector(builder, 4, values, (v) => builder.addOffset(v));
}

/** The options table and its BuiltinOptions union type. */
function writeOptions(builder: Builder, spec: OptionsSpec): [number, number] {
  const window = (w: Window, first: number) => {
    builder.addFieldInt8(first, PADDING[w.padding], -1);
    builder.addFieldInt32(first + 1, w.strides[1], -1); // stride_w
    builder.addFieldInt32(first + 2, w.strides[0], -1); // stride_h
  };
  if ('conv' in spec) {
    builder.startObject(6);
    window(spec.conv, 0);
    builder.addFieldInt8(3, ACTIVATION[spec.conv.activation ?? 'NONE'], -1);
    builder.addFieldInt32(4, spec.conv.dilations?.[1] ?? 1, 1);
    builder.addFieldInt32(5, spec.conv.dilations?.[0] ?? 1, 1);
    return [1, builder.endObject()];
  }
  if ('depthwise' in spec) {
    builder.startObject(7);
    window(spec.depthwise, 0);
    builder.addFieldInt32(3, spec.depthwise.depthMultiplier, -1);
    builder.addFieldInt8(4, ACTIVATION[spec.depthwise.activation ?? 'NONE'], -1);
    builder.addFieldInt32(5, spec.depthwise.dilations?.[1] ?? 1, 1);
    builder.addFieldInt32(6, spec.depthwise.dilations?.[0] ?? 1, 1);
    return [2, builder.endObject()];
  }
  if ('pool' in spec) {
    builder.startObject(6);
    window(spec.pool, 0);
    builder.addFieldInt32(3, spec.pool.filter[1], -1); // filter_width
    builder.addFieldInt32(4, spec.pool.filter[0], -1); // filter_height
    builder.addFieldInt8(5, ACTIVATION[spec.pool.activation ?? 'NONE'], -1);
    return [5, builder.endObject()];
  }
  if ('fullyConnected' in spec) {
    builder.startObject(3);
    builder.addFieldInt8(0, ACTIVATION[spec.fullyConnected.activation ?? 'NONE'], -1);
    builder.addFieldInt8(2, spec.fullyConnected.keepNumDims ? 1 : 0, -1);
    return [8, builder.endObject()];
  }
  if ('softmax' in spec) {
    builder.startObject(1);
    builder.addFieldFloat32(0, spec.softmax.beta, null);
    return [9, builder.endObject()];
  }
  if ('add' in spec || 'mul' in spec) {
    const activation = 'add' in spec ? spec.add.activation : spec.mul.activation;
    builder.startObject(1);
    builder.addFieldInt8(0, ACTIVATION[activation], -1);
    return ['add' in spec ? 11 : 21, builder.endObject()];
  }
  builder.startObject(1);
  builder.addFieldInt8(0, spec.reducer.keepDims ? 1 : 0, -1);
  return [27, builder.endObject()];
}

/** metadata_schema.fbs: ModelMetadata → SubGraphMetadata → TensorMetadata → ProcessUnit → NormalizationOptions. */
function writeMetadata(normalization: { mean: number[]; std: number[] }): Uint8Array {
  const builder = new Builder(256);
  const mean = floats(builder, normalization.mean);
  const std = floats(builder, normalization.std);
  builder.startObject(2);
  builder.addFieldOffset(0, mean, 0);
  builder.addFieldOffset(1, std, 0);
  const options = builder.endObject();
  builder.startObject(2);
  builder.addFieldInt8(0, 1, -1); // ProcessUnitOptions.NormalizationOptions
  builder.addFieldOffset(1, options, 0);
  const unit = builder.endObject();
  const units = offsets(builder, [unit]);
  const name = builder.createString('image');
  builder.startObject(7);
  builder.addFieldOffset(0, name, 0);
  builder.addFieldOffset(4, units, 0);
  const tensor = builder.endObject();
  const tensors = offsets(builder, [tensor]);
  builder.startObject(9);
  builder.addFieldOffset(2, tensors, 0);
  const subgraph = builder.endObject();
  const subgraphs = offsets(builder, [subgraph]);
  builder.startObject(8);
  builder.addFieldOffset(3, subgraphs, 0);
  builder.finish(builder.endObject(), 'M001');
  return builder.asUint8Array();
}

export function writeTflite(spec: ModelSpec): Uint8Array {
  const builder = new Builder(1024);
  // Buffers: 0 is the empty sentinel; then one per constant tensor, and the metadata.
  const buffers: number[] = [];
  const buffer = (data: Uint8Array | null): number => {
    const dataVector = data ? builder.createByteVector(data) : 0;
    builder.startObject(3);
    if (data) builder.addFieldOffset(0, dataVector, 0);
    buffers.push(builder.endObject());
    return buffers.length - 1;
  };
  buffer(null);

  const tensors = spec.tensors.map((t) => {
    const index = t.data ? buffer(t.data) : 0;
    const name = builder.createString(t.name);
    const shape = int32s(builder, t.shape);
    let quantization = 0;
    if (t.quantization) {
      const scales = floats(builder, t.quantization.scales);
      builder.startVector(8, t.quantization.zeroPoints.length, 8);
      for (let i = t.quantization.zeroPoints.length - 1; i >= 0; i--) builder.addInt64(BigInt(t.quantization.zeroPoints[i]));
      const zeroPoints = builder.endVector();
      builder.startObject(7);
      builder.addFieldOffset(2, scales, 0);
      builder.addFieldOffset(3, zeroPoints, 0);
      builder.addFieldInt32(6, t.quantization.dimension ?? 0, -1);
      quantization = builder.endObject();
    }
    builder.startObject(5);
    builder.addFieldOffset(0, shape, 0);
    builder.addFieldInt8(1, TYPES[t.type ?? 'FLOAT32'], -1);
    builder.addFieldInt32(2, index, -1);
    builder.addFieldOffset(3, name, 0);
    if (quantization) builder.addFieldOffset(4, quantization, 0);
    return builder.endObject();
  });

  // One operator code per distinct operator, written as new files do: the byte field capped at 127, the int field exact.
  const codeKeys = [...new Set(spec.operators.map((o) => (typeof o.op === 'string' ? o.op : `custom:${o.op.custom}`)))];
  const codes = codeKeys.map((key) => {
    const custom = key.startsWith('custom:') ? builder.createString(key.slice(7)) : 0;
    const code = custom ? OPERATORS.CUSTOM : OPERATORS[key];
    if (code === undefined) throw new Error(`The test writer does not know the operator ${key}.`);
    builder.startObject(4);
    builder.addFieldInt8(0, Math.min(code, 127), -1);
    if (custom) builder.addFieldOffset(1, custom, 0);
    builder.addFieldInt32(2, 1, -1);
    builder.addFieldInt32(3, code, -1);
    return builder.endObject();
  });

  const operators = spec.operators.map((o) => {
    const inputs = int32s(builder, o.inputs);
    const outputs = int32s(builder, o.outputs);
    const [optionsType, options] = o.options ? writeOptions(builder, o.options) : [0, 0];
    builder.startObject(5);
    builder.addFieldInt32(0, codeKeys.indexOf(typeof o.op === 'string' ? o.op : `custom:${o.op.custom}`), -1);
    builder.addFieldOffset(1, inputs, 0);
    builder.addFieldOffset(2, outputs, 0);
    if (options) {
      builder.addFieldInt8(3, optionsType, -1);
      builder.addFieldOffset(4, options, 0);
    }
    return builder.endObject();
  });

  const tensorVector = offsets(builder, tensors);
  const inputVector = int32s(builder, spec.inputs);
  const outputVector = int32s(builder, spec.outputs);
  const operatorVector = offsets(builder, operators);
  builder.startObject(5);
  builder.addFieldOffset(0, tensorVector, 0);
  builder.addFieldOffset(1, inputVector, 0);
  builder.addFieldOffset(2, outputVector, 0);
  builder.addFieldOffset(3, operatorVector, 0);
  const subgraph = builder.endObject();

  const metadata: number[] = [];
  if (spec.normalization) {
    const index = buffer(writeMetadata(spec.normalization));
    const name = builder.createString('TFLITE_METADATA');
    builder.startObject(2);
    builder.addFieldOffset(0, name, 0);
    builder.addFieldInt32(1, index, -1);
    metadata.push(builder.endObject());
  }

  const codeVector = offsets(builder, codes);
  const subgraphVector = offsets(builder, [subgraph]);
  const bufferVector = offsets(builder, buffers);
  const metadataVector = metadata.length ? offsets(builder, metadata) : 0;
  const description = builder.createString('written by Graft’s tests');
  builder.startObject(7);
  builder.addFieldInt32(0, 3, -1);
  builder.addFieldOffset(1, codeVector, 0);
  builder.addFieldOffset(2, subgraphVector, 0);
  builder.addFieldOffset(3, description, 0);
  builder.addFieldOffset(4, bufferVector, 0);
  if (metadataVector) builder.addFieldOffset(6, metadataVector, 0);
  builder.finish(builder.endObject(), 'TFL3');
  return builder.asUint8Array();
}
