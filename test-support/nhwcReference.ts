/**
 * TensorFlow Lite's operators computed directly, with plain loops over one NHWC image, as the
 * expected values for tests of the TFLite converter: nothing here comes from TensorFlow.js or
 * onnxruntime. SAME padding is TensorFlow's: (out − 1) · stride + window − in in total, the
 * smaller half before.
 */
export interface Image {
  /** [height, width, channels] */
  shape: [number, number, number];
  data: Float32Array;
}

export type Padding = 'SAME' | 'VALID';

export function image(shape: [number, number, number], value: (y: number, x: number, c: number) => number): Image {
  const [h, w, c] = shape;
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = value(y, x, k);
  return { shape, data };
}

function at(img: Image, y: number, x: number, c: number): number {
  return img.data[(y * img.shape[1] + x) * img.shape[2] + c];
}

/** Output size and padding before, along one axis. */
function window(size: number, kernel: number, stride: number, dilation: number, padding: Padding): [number, number] {
  const extent = (kernel - 1) * dilation + 1;
  if (padding === 'VALID') return [Math.floor((size - extent) / stride) + 1, 0];
  const out = Math.ceil(size / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + extent - size, 0) / 2)];
}

/** Slides a kernel window: for each output position and channel, `reduce` sees the (in-bounds) taps. */
function slide(x: Image, kernel: [number, number], strides: [number, number], dilations: [number, number], padding: Padding, channels: number, reduce: (taps: { y: number; x: number; ky: number; kx: number }[], c: number) => number): Image {
  const [oh, top] = window(x.shape[0], kernel[0], strides[0], dilations[0], padding);
  const [ow, left] = window(x.shape[1], kernel[1], strides[1], dilations[1], padding);
  return image([oh, ow, channels], (oy, ox, c) => {
    const taps = [];
    for (let ky = 0; ky < kernel[0]; ky++) {
      for (let kx = 0; kx < kernel[1]; kx++) {
        const y = oy * strides[0] - top + ky * dilations[0];
        const xx = ox * strides[1] - left + kx * dilations[1];
        if (y >= 0 && y < x.shape[0] && xx >= 0 && xx < x.shape[1]) taps.push({ y, x: xx, ky, kx });
      }
    }
    return reduce(taps, c);
  });
}

/** CONV_2D: filter [out, kh, kw, in] (TFLite's layout), bias [out]. */
export function conv2d(x: Image, filter: Float32Array, filterShape: number[], bias: Float32Array | null, strides: [number, number], padding: Padding, dilations: [number, number] = [1, 1]): Image {
  const [outC, kh, kw, inC] = filterShape;
  return slide(x, [kh, kw], strides, dilations, padding, outC, (taps, o) => {
    let sum = bias ? bias[o] : 0;
    for (const t of taps) for (let i = 0; i < inC; i++) sum += at(x, t.y, t.x, i) * filter[((o * kh + t.ky) * kw + t.kx) * inC + i];
    return sum;
  });
}

/** DEPTHWISE_CONV_2D: filter [1, kh, kw, in · multiplier], output channel c · multiplier + m reads input channel c. */
export function depthwiseConv2d(x: Image, filter: Float32Array, filterShape: number[], bias: Float32Array | null, strides: [number, number], padding: Padding, dilations: [number, number] = [1, 1]): Image {
  const [, kh, kw, outC] = filterShape;
  const multiplier = outC / x.shape[2];
  return slide(x, [kh, kw], strides, dilations, padding, outC, (taps, o) => {
    let sum = bias ? bias[o] : 0;
    for (const t of taps) sum += at(x, t.y, t.x, Math.floor(o / multiplier)) * filter[(t.ky * kw + t.kx) * outC + o];
    return sum;
  });
}

/** MAX_POOL_2D, or AVERAGE_POOL_2D averaging only the taps inside the image. */
export function pool(x: Image, kind: 'max' | 'average', filter: [number, number], strides: [number, number], padding: Padding): Image {
  return slide(x, filter, strides, [1, 1], padding, x.shape[2], (taps, c) => {
    const values = taps.map((t) => at(x, t.y, t.x, c));
    return kind === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
  });
}

export function pad(x: Image, [top, bottom]: [number, number], [left, right]: [number, number]): Image {
  const [h, w, c] = x.shape;
  return image([h + top + bottom, w + left + right, c], (y, xx, k) => (y >= top && y < top + h && xx >= left && xx < left + w ? at(x, y - top, xx - left, k) : 0));
}

/** MEAN over height and width. */
export function spatialMean(x: Image): Float32Array {
  const [h, w, c] = x.shape;
  const out = new Float32Array(c);
  for (let i = 0; i < h * w * c; i++) out[i % c] += x.data[i] / (h * w);
  return out;
}

/** FULLY_CONNECTED: weights [out, in]. */
export function fullyConnected(v: Float32Array, weights: Float32Array, bias: Float32Array | null, units: number): Float32Array {
  return Float32Array.from({ length: units }, (_, o) => v.reduce((sum, x, i) => sum + x * weights[o * v.length + i], bias ? bias[o] : 0));
}

export function softmax(v: Float32Array, beta = 1): Float32Array {
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(beta * (x - max)));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

export function map(x: Image, f: (v: number, c: number) => number): Image {
  return { shape: x.shape, data: x.data.map((v, i) => f(v, i % x.shape[2])) };
}

export const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);
export const hardSwish = (v: number) => (v * relu6(v + 3)) / 6;
export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
