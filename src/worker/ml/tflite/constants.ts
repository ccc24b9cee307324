/**
 * The values of a model's constant tensors (weights, biases, axes, paddings) as float32 or
 * integers. Quantized weights are dequantized, f = scale · (q − zero point), with one scale per
 * tensor or one per channel along the tensor's quantized dimension; float16 weights are widened.
 * Activations are not quantized here: Graft runs the whole network in float.
 */
import { tfliteError, type TfliteModel, type TfliteTensor } from './tfliteModel';

const BYTES: Partial<Record<TfliteTensor['type'], number>> = { FLOAT32: 4, FLOAT16: 2, INT8: 1, UINT8: 1, INT16: 2, INT32: 4, INT64: 8 };

function elementCount(shape: number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The tensor's raw elements as numbers (integers as stored, floats widened), checked against its shape. */
function rawValues(model: TfliteModel, tensor: TfliteTensor): Float64Array {
  const size = BYTES[tensor.type];
  if (!size) throw tfliteError(model.file, `stores the constant ${tensor.name} as ${tensor.type}, which Graft cannot read.`);
  const data = tensor.data;
  if (!data) throw tfliteError(model.file, `uses ${tensor.name} as a constant, but it has no data.`);
  const count = elementCount(tensor.shape);
  if (data.length !== count * size) throw tfliteError(model.file, `is damaged: the constant ${tensor.name} of shape [${tensor.shape.join(', ')}] has ${data.length} bytes instead of ${count * size}.`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const values = new Float64Array(count);
  // Plain loops per type: models hold millions of weights.
  switch (tensor.type) {
    case 'FLOAT32':
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
      break;
    case 'FLOAT16':
      for (let i = 0; i < count; i++) values[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'INT8':
      values.set(new Int8Array(data.buffer, data.byteOffset, count));
      break;
    case 'UINT8':
      values.set(data);
      break;
    case 'INT16':
      for (let i = 0; i < count; i++) values[i] = view.getInt16(2 * i, true);
      break;
    case 'INT32':
      for (let i = 0; i < count; i++) values[i] = view.getInt32(4 * i, true);
      break;
    default:
      for (let i = 0; i < count; i++) values[i] = Number(view.getBigInt64(8 * i, true));
  }
  return values;
}

/** IEEE 754 half precision → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A constant as float32: floats as stored, integers dequantized with the tensor's scales and zero points. */
export function floatValues(model: TfliteModel, tensor: TfliteTensor): Float32Array {
  const raw = rawValues(model, tensor);
  if (tensor.type === 'FLOAT32' || tensor.type === 'FLOAT16') return Float32Array.from(raw);
  const q = tensor.quantization;
  if (!q) throw tfliteError(model.file, `uses the ${tensor.type} constant ${tensor.name} as weights without saying how to dequantize it (no scale).`);
  const channels = q.scales.length === 1 ? 1 : tensor.shape[q.dimension];
  if (channels !== q.scales.length || q.zeroPoints.length !== q.scales.length) {
    throw tfliteError(model.file, `is damaged: ${tensor.name} has ${q.scales.length} scales for ${channels} channels along dimension ${q.dimension}.`);
  }
  // Row-major: the channel of element i along `dimension` is (i / stride) mod channels.
  const stride = channels === 1 ? raw.length : elementCount(tensor.shape.slice(q.dimension + 1));
  const values = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const c = Math.floor(i / stride) % channels;
    values[i] = q.scales[c] * (raw[i] - q.zeroPoints[c]);
  }
  return values;
}

/** A constant of whole numbers (axes, paddings, shapes), as stored. */
export function integerValues(model: TfliteModel, tensor: TfliteTensor): number[] {
  if (tensor.type !== 'INT32' && tensor.type !== 'INT64') throw tfliteError(model.file, `gives ${tensor.name} as ${tensor.type} where whole numbers (INT32) are expected.`);
  return Array.from(rawValues(model, tensor));
}
