import { describe, expect, it } from 'vitest';
import { deviceWords } from './engineWords';

describe('deviceWords', () => {
  it('says the CPU or the GPU (and which provider) from an onnxruntime description, without the detail', () => {
    expect(deviceWords('onnxruntime 1.30.0 on the CPU (2 threads); no GPU provider to try here (CUDA is not installed beside onnxruntime, and WebGPU needs Vulkan)')).toBe('on the CPU');
    expect(deviceWords('onnxruntime 1.30.0 on the CPU (8 threads) (the CPU was asked for)')).toBe('on the CPU');
    expect(deviceWords('onnxruntime 1.30.0 on the GPU (CoreML)')).toBe('on the GPU (CoreML)');
  });

  it('names TensorFlow.js when it ran the network, and says nothing when nothing ran (features from the cache)', () => {
    expect(deviceWords('TensorFlow.js wasm')).toBe('with TensorFlow.js wasm');
    expect(deviceWords(null)).toBeNull();
  });
});
