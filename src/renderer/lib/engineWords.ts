/**
 * Where a network ran, in a few words, from the engine's description the worker records with each
 * run and classification ("onnxruntime 1.30.0 on the CPU (2 threads); no GPU provider to try here
 * (…)"): "on the CPU", "on the GPU (CUDA)". The whole description stays one click away.
 */
export function deviceWords(engine: string | null): string | null {
  if (!engine) return null;
  const onnx = /\bon (the GPU(?: \([^)]+\))?|the CPU)/.exec(engine);
  if (onnx) return `on ${onnx[1]}`;
  // TensorFlow.js runs on the CPU here (WebAssembly, or tfjs-node's CPU build), on the GPU only with tfjs-node-gpu.
  return engine.startsWith('TensorFlow.js') ? `with ${engine}` : null;
}
