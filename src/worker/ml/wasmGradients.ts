/**
 * TensorFlow.js's WebAssembly backend has no Conv2DBackpropFilter kernel, so a convolution's
 * filter gradient, and with it any training of convolutions, fails there (and the `cpu` backend
 * is ~50x slower). This registers it, built from kernels wasm has: per filter tap, a slice of the
 * input and one XNNPACK matrix product with the output gradient. Native backends (tfjs-node)
 * keep their own kernels.
 *
 * Only stride 1 is supported (strided convolutions are refused rather than trained wrongly);
 * Graft's from-scratch CNN downsamples with max-pooling. (A first version used wasm's
 * Conv3DBackpropFilterV2 on depth-1 views: correct for stride 1, wrong for larger strides in
 * tfjs-backend-wasm 4.22, and some 20x slower than the matrix products.)
 *
 * The depthwise convolutions of MobileNet blocks (fine-tuning) need both depthwise backprop
 * kernels, which wasm lacks and no wasm kernel computes: they are registered here as direct
 * loops over the backend's memory, for any stride and padding. They are small next to the
 * pointwise convolutions around them (9 multiply-adds per input value).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tensorflow';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | unknown;
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

/** A wasm kernel, called directly (kernels may call kernels; the engine is not involved). */
function wasmKernel(name: string, inputs: Record<string, TensorInfo>, attrs: object, backend: unknown): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`Graft: the wasm backend lacks ${name}.`);
  return kernel.kernelFunc({ inputs, backend: backend as never, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
}

/** Another shape over the same memory (row-major, so any shape of the same size). */
const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, dtype: t.dtype, shape });

interface WasmMemory {
  readSync(dataId: object): Float32Array;
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

/**
 * a · b for a (rows × inner) and b (inner × columns) seen as matrices. wasm's BatchMatMul is fast
 * only without its transpose flags (some 10x slower with them, measured), so operands are
 * transposed explicitly first.
 */
function matMul(a: TensorInfo, b: TensorInfo, rows: number, inner: number, columns: number, transposeA: boolean, transposeB: boolean, backend: unknown): TensorInfo {
  const memory = backend as WasmMemory;
  const left = transposeA ? wasmKernel('Transpose', { x: view(a, [inner, rows]) }, { perm: [1, 0] }, backend) : a;
  const right = transposeB ? wasmKernel('Transpose', { x: view(b, [columns, inner]) }, { perm: [1, 0] }, backend) : b;
  const product = wasmKernel('BatchMatMul', { a: view(left, [1, rows, inner]), b: view(right, [1, inner, columns]) }, { transposeA: false, transposeB: false }, backend);
  if (left !== a) memory.disposeData(left.dataId);
  if (right !== b) memory.disposeData(right.dataId);
  return product;
}

/**
 * dW[fh, fw] = Σ x[n, oh + fh, ow + fw]ᵀ · dy[n, oh, ow]: for each filter tap, one matrix product
 * of the shifted input with the output gradient, both seen as (pixels × channels) matrices. A 1x1
 * convolution is a single product.
 */
function conv2DBackpropFilterByTaps(x: TensorInfo, dy: TensorInfo, filterShape: [number, number, number, number], pad: 'same' | 'valid', backend: unknown): TensorInfo {
  const memory = backend as WasmMemory;
  const [filterHeight, filterWidth, inChannels, outChannels] = filterShape;
  const [batch, outHeight, outWidth] = dy.shape;
  const pixels = batch * outHeight * outWidth;
  if (filterHeight === 1 && filterWidth === 1) {
    return view(matMul(x, dy, inChannels, pixels, outChannels, true, false, backend), filterShape);
  }
  const padTop = pad === 'same' ? Math.floor((filterHeight - 1) / 2) : 0;
  const padLeft = pad === 'same' ? Math.floor((filterWidth - 1) / 2) : 0;
  const padded =
    pad === 'same'
      ? wasmKernel(
          'PadV2',
          { x },
          {
            paddings: [
              [0, 0],
              [padTop, filterHeight - 1 - padTop],
              [padLeft, filterWidth - 1 - padLeft],
              [0, 0],
            ],
            constantValue: 0,
          },
          backend,
        )
      : x;
  const result = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      const shifted = wasmKernel('Slice', { x: padded }, { begin: [0, fh, fw, 0], size: [batch, outHeight, outWidth, inChannels] }, backend);
      const product = matMul(shifted, dy, inChannels, pixels, outChannels, true, false, backend);
      result.set(memory.readSync(product.dataId), (fh * filterWidth + fw) * inChannels * outChannels);
      memory.disposeData(shifted.dataId);
      memory.disposeData(product.dataId);
    }
  }
  if (padded !== x) memory.disposeData(padded.dataId);
  return memory.makeOutput(filterShape, 'float32', undefined, result);
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error('Graft: only NHWC convolutions can be trained on the wasm backend.');
  if (pad !== 'same' && pad !== 'valid') throw new Error('Graft: only "same" and "valid" padding can be trained on the wasm backend.');
  const [strideHeight, strideWidth] = typeof strides === 'number' ? [strides, strides] : strides;
  if (strideHeight !== 1 || strideWidth !== 1) throw new Error('Graft: only stride-1 convolutions can be trained on the wasm backend (downsample with pooling).');
  return conv2DBackpropFilterByTaps(x, dy, filterShape, pad, backend);
};

/** wasm's own Conv2DBackpropInput, kept for the cases the matrix product below does not cover. */
let wasmConv2DBackpropInput: KernelFunc | null = null;

/** For a 1x1 stride-1 convolution the input gradient is dy · Wᵀ: one matrix product instead of wasm's direct loops. */
const conv2DBackpropInput: KernelFunc = (args) => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, inputShape, dataFormat } = args.attrs as unknown as { strides: [number, number] | number; inputShape: number[]; dataFormat: string };
  const [strideHeight, strideWidth] = typeof strides === 'number' ? [strides, strides] : strides;
  const [filterHeight, filterWidth, inChannels, outChannels] = filter.shape;
  if (filterHeight !== 1 || filterWidth !== 1 || strideHeight !== 1 || strideWidth !== 1 || dataFormat !== 'NHWC') return wasmConv2DBackpropInput!(args);
  const pixels = dy.shape[0] * dy.shape[1] * dy.shape[2];
  return view(matMul(dy, filter, pixels, outChannels, inChannels, false, true, args.backend), inputShape);
};

interface DepthwiseAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}


/** The geometry both depthwise gradients walk: which input pixel each filter tap of each output reads. */
function depthwiseGeometry(inShape: number[], filterShape: number[], attrs: DepthwiseAttrs) {
  const info = tf.backend_util.computeConv2DInfo(inShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad as 'same', attrs.dimRoundingMode, true);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    multiplier: filterShape[3],
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Visits every (output pixel, filter tap) pair that reads a real input pixel, giving the offsets
 * of the input pixel, the output pixel (channel 0) and the filter tap (channel 0) in NHWC order.
 */
function forEachTap(g: ReturnType<typeof depthwiseGeometry>, visit: (inOffset: number, outOffset: number, filterOffset: number) => void): void {
  const outChannels = g.channels * g.multiplier;
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let fh = 0; fh < g.filterHeight; fh++) {
        const ih = oh * g.strideHeight - g.padTop + fh * g.dilationHeight;
        if (ih < 0 || ih >= g.inHeight) continue;
        for (let ow = 0; ow < g.outWidth; ow++) {
          const outOffset = ((n * g.outHeight + oh) * g.outWidth + ow) * outChannels;
          for (let fw = 0; fw < g.filterWidth; fw++) {
            const iw = ow * g.strideWidth - g.padLeft + fw * g.dilationWidth;
            if (iw < 0 || iw >= g.inWidth) continue;
            visit(((n * g.inHeight + ih) * g.inWidth + iw) * g.channels, outOffset, (fh * g.filterWidth + fw) * outChannels);
          }
        }
      }
    }
  }
}

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape } = attrs as unknown as { filterShape: number[] };
  const memory = backend as unknown as WasmMemory;
  const g = depthwiseGeometry(x.shape, filterShape, attrs as unknown as DepthwiseAttrs);
  const xs = memory.readSync(x.dataId);
  const dys = memory.readSync(dy.dataId);
  const dw = new Float32Array(filterShape.reduce((a, b) => a * b, 1));
  const { channels, multiplier } = g;
  forEachTap(g, (inOffset, outOffset, filterOffset) => {
    for (let c = 0; c < channels; c++) {
      const value = xs[inOffset + c];
      for (let m = 0; m < multiplier; m++) dw[filterOffset + c * multiplier + m] += value * dys[outOffset + c * multiplier + m];
    }
  });
  return memory.makeOutput(filterShape, 'float32', undefined, dw);
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape } = attrs as unknown as { inputShape: number[] };
  const memory = backend as unknown as WasmMemory;
  const g = depthwiseGeometry(inputShape, filter.shape, attrs as unknown as DepthwiseAttrs);
  const dys = memory.readSync(dy.dataId);
  const ws = memory.readSync(filter.dataId);
  const dx = new Float32Array(inputShape.reduce((a, b) => a * b, 1));
  const { channels, multiplier } = g;
  forEachTap(g, (inOffset, outOffset, filterOffset) => {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let m = 0; m < multiplier; m++) sum += dys[outOffset + c * multiplier + m] * ws[filterOffset + c * multiplier + m];
      dx[inOffset + c] += sum;
    }
  });
  return memory.makeOutput(inputShape, 'float32', undefined, dx);
};

let registered = false;

/** Adds the missing training kernels to the wasm backend (once; those it has are left alone). */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  const kernels: KernelConfig[] = [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
  ];
  for (const kernel of kernels) if (!tf.getKernel(kernel.kernelName, 'wasm')) tf.registerKernel(kernel);
  // wasm has this one, as direct loops: several times slower than a matrix product for 1x1 convolutions.
  const own = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (own) {
    wasmConv2DBackpropInput = own.kernelFunc;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...own, kernelFunc: conv2DBackpropInput });
  }
  registered = true;
}
