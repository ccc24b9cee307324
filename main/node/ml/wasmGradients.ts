/**
 * TensorFlow.js's WebAssembly backend has no Conv2DBackpropFilter kernel, so a convolution's
 * filter gradient, and with it any training of convolutions, fails there (and the `cpu` backend
 * is ~50x slower). A 2-D convolution is a 3-D convolution of depth 1, and the wasm backend does
 * have Conv3DBackpropFilterV2: this registers the 2-D kernel as that 3-D kernel on depth-1 views
 * of the same memory. Native backends (tfjs-node) keep their own kernels.
 *
 * Only stride 1 is supported: tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 returns wrong
 * values for larger strides (checked against the cpu backend), so a strided convolution is refused
 * instead of trained wrongly. Graft's from-scratch CNN downsamples with max-pooling.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from './tensorflow';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | unknown;
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error('Graft: only NHWC convolutions can be trained on the wasm backend.');
  if (pad !== 'same' && pad !== 'valid') throw new Error('Graft: only "same" and "valid" padding can be trained on the wasm backend.');
  const [strideHeight, strideWidth] = typeof strides === 'number' ? [strides, strides] : strides;
  if (strideHeight !== 1 || strideWidth !== 1) throw new Error('Graft: only stride-1 convolutions can be trained on the wasm backend (downsample with pooling).');
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (!conv3d) throw new Error('Graft: the wasm backend lacks Conv3DBackpropFilterV2.');
  // Depth-1 views of the same data: the 3-D kernel only reads them.
  const depthOne = (t: TensorInfo): TensorInfo => ({ dataId: t.dataId, dtype: t.dtype, shape: [t.shape[0], 1, ...t.shape.slice(1)] });
  const dw = conv3d.kernelFunc({
    inputs: { x: depthOne(x), dy: depthOne(dy) },
    backend,
    attrs: { strides: [1, strideHeight, strideWidth], pad, filterShape: [1, ...filterShape] } as unknown as NamedAttrMap,
  }) as TensorInfo;
  return { dataId: dw.dataId, dtype: dw.dtype, shape: filterShape };
};

let registered = false;

/** Adds the missing training kernels to the wasm backend (once; harmless where they exist). */
export function registerWasmGradientKernels(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const config: KernelConfig = { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter };
  tf.registerKernel(config);
  registered = true;
}
