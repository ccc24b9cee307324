/**
 * Running an onnxruntime session on photos' pixels: what the inference thread does, and what a job
 * does itself when the thread cannot start. Kept free of TensorFlow.js, which the thread never loads.
 */
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';

/** The batch size an input requires, or null when any batch goes (Graft's own models; many exported models fix 1). */
export function fixedBatch(session: ort.InferenceSession, input: string): number | null {
  const meta = session.inputMetadata.find((m) => m.name === input);
  const batch = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof batch === 'number' && batch > 0 ? batch : null;
}

/** Output rows for `count` photos given as inputSize x inputSize RGB bytes (0–255), one after another. */
export async function runOnPixels(session: ort.InferenceSession, io: { input: string; output: string }, inputSize: number, pixels: Uint8Array, count: number): Promise<Float32Array> {
  const output = await session.run({ [io.input]: new Tensor('float32', new Float32Array(pixels), [count, inputSize, inputSize, 3]) });
  return output[io.output].data as Float32Array;
}
