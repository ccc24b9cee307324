/**
 * Running an onnxruntime session on photos' pixels: what the inference thread does, and what a job
 * does itself when the thread cannot start. Kept free of TensorFlow.js, which the thread never loads.
 */
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';

/**
 * On the CPU a session runs at most this many photos at once, whatever the batch it is handed: the
 * first layers' activations for 16 photos (16 x 48 x 112 x 112 floats, 38 MB, for MobileNetV1)
 * outgrow the caches, and the same photos run 4 at a time took 10–16 % less CPU (MobileNetV1 0.75,
 * MobileNetV2 0.35, EfficientNet-Lite0, one thread; fewer than 4 gained nothing more). The outputs
 * are bit-identical whatever the batch. A GPU takes the batch whole.
 */
export const CPU_PHOTOS_PER_RUN = 4;

/** The batch size an input requires, or null when any batch goes (Graft's own models; many exported models fix 1). */
export function fixedBatch(session: ort.InferenceSession, input: string): number | null {
  const meta = session.inputMetadata.find((m) => m.name === input);
  const batch = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof batch === 'number' && batch > 0 ? batch : null;
}

export type PixelRun = (pixels: Uint8Array, count: number) => Promise<Float32Array>;

/**
 * Output rows for `count` photos given as inputSize x inputSize RGB bytes (0–255), one after
 * another, from a session on `provider` (on the CPU, CPU_PHOTOS_PER_RUN at a time when the model
 * takes any batch).
 */
export function pixelRunner(session: ort.InferenceSession, provider: string, io: { input: string; output: string }, inputSize: number): PixelRun {
  const photoLength = inputSize * inputSize * 3;
  const perRun = provider === 'cpu' && fixedBatch(session, io.input) === null ? CPU_PHOTOS_PER_RUN : Infinity;
  // The network's input as floats, in one buffer reused run after run (a new 2.4 MB array for
  // every 4 photos kept the thread's garbage collector busy); a run that finds it in use (runs
  // called at once) makes its own.
  let floats = new Float32Array(0);
  let floatsInUse = false;
  const runOnce = async (pixels: Uint8Array, count: number): Promise<Float32Array> => {
    const reuse = !floatsInUse;
    if (reuse && floats.length < pixels.length) floats = new Float32Array(pixels.length);
    const input = reuse ? floats.subarray(0, pixels.length) : new Float32Array(pixels.length);
    input.set(pixels);
    if (reuse) floatsInUse = true;
    try {
      const output = await session.run({ [io.input]: new Tensor('float32', input, [count, inputSize, inputSize, 3]) });
      return output[io.output].data as Float32Array;
    } finally {
      if (reuse) floatsInUse = false;
    }
  };
  return async (pixels, count) => {
    if (count <= perRun) return runOnce(pixels, count);
    let rows: Float32Array | null = null;
    for (let start = 0; start < count; start += perRun) {
      const photos = Math.min(perRun, count - start);
      const part = await runOnce(pixels.subarray(start * photoLength, (start + photos) * photoLength), photos);
      const width = part.length / photos;
      rows ??= new Float32Array(width * count);
      rows.set(part, width * start);
    }
    return rows!;
  };
}
