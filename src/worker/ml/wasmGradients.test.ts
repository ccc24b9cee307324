import { describe, expect, it } from 'vitest';
import { seededRandom } from './fit';
import { initTensorflow, tf } from './tensorflow';
import { registerWasmGradientKernels } from './wasmGradients';

function filterGradient(x: number[], f: number[], strides: number, pad: 'same' | 'valid'): number[] {
  const xs = tf.tensor4d(x, [2, 7, 6, 3]);
  const fs = tf.tensor4d(f, [3, 3, 3, 4]);
  const grad = tf.grad((filter) => tf.sum(tf.square(tf.conv2d(xs, filter as tf.Tensor4D, strides, pad))))(fs);
  const values = Array.from(grad.dataSync());
  tf.dispose([xs, fs, grad]);
  return values;
}

describe('wasm gradient kernels', () => {
  it("give a convolution's filter gradient equal to the cpu backend's", async () => {
    await initTensorflow();
    registerWasmGradientKernels();
    const random = seededRandom(3);
    const x = Array.from({ length: 2 * 7 * 6 * 3 }, () => random() - 0.5);
    const f = Array.from({ length: 3 * 3 * 3 * 4 }, () => random() - 0.5);
    for (const [strides, pad] of [[1, 'same'], [1, 'valid']] as const) {
      await tf.setBackend('wasm');
      const wasm = filterGradient(x, f, strides, pad);
      await tf.setBackend('cpu');
      const cpu = filterGradient(x, f, strides, pad);
      expect(wasm.length).toBe(cpu.length);
      wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 4));
    }
    await tf.setBackend('wasm');
  });

  it('gives 1x1 convolutions (MobileNet pointwise layers) the input and filter gradients of the cpu backend', async () => {
    await initTensorflow();
    registerWasmGradientKernels();
    const random = seededRandom(8);
    const x = Array.from({ length: 3 * 5 * 4 * 6 }, () => random() - 0.5);
    const f = Array.from({ length: 6 * 7 }, () => random() - 0.5);
    const gradients = () =>
      tf.tidy(() => {
        const [dx, df] = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([tf.tensor4d(x, [3, 5, 4, 6]), tf.tensor4d(f, [1, 1, 6, 7])]);
        return [...dx.dataSync(), ...df.dataSync()];
      });
    await tf.setBackend('wasm');
    const wasm = gradients();
    await tf.setBackend('cpu');
    const cpu = gradients();
    await tf.setBackend('wasm');
    expect(wasm.length).toBe(3 * 5 * 4 * 6 + 6 * 7);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 4));
  });

  it('gives depthwise convolutions the input and filter gradients of the cpu backend, strided or not', async () => {
    await initTensorflow();
    registerWasmGradientKernels();
    const random = seededRandom(5);
    const x = Array.from({ length: 2 * 9 * 8 * 4 }, () => random() - 0.5);
    const f = Array.from({ length: 3 * 3 * 4 * 2 }, () => random() - 0.5);
    const gradients = () => {
      const xs = tf.tensor4d(x, [2, 9, 8, 4]);
      const fs = tf.tensor4d(f, [3, 3, 4, 2]);
      const values = ([[1, 'same'], [2, 'same'], [1, 'valid'], [2, 'valid']] as const).flatMap(([strides, pad]) => {
        const [dx, df] = tf.grads((a, b) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))))([xs, fs]);
        return [...dx.dataSync(), ...df.dataSync()];
      });
      tf.dispose([xs, fs]);
      return values;
    };
    await tf.setBackend('wasm');
    const wasm = gradients();
    await tf.setBackend('cpu');
    const cpu = gradients();
    await tf.setBackend('wasm');
    expect(wasm.length).toBe(cpu.length);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 4));
  });

  it('refuses strided convolutions rather than train them wrongly', async () => {
    await initTensorflow();
    registerWasmGradientKernels();
    const f = Array.from({ length: 3 * 3 * 3 * 4 }, () => 0.1);
    const x = Array.from({ length: 2 * 7 * 6 * 3 }, () => 0.2);
    expect(() => filterGradient(x, f, 2, 'same')).toThrow(/only stride-1/);
  });
});
