/**
 * Messages between a job (the worker process's main thread) and its inference thread, which runs
 * onnxruntime. Both ends validate what they receive: the data crosses a thread boundary, and a
 * wrong shape must fail with a message, not as garbage rows.
 */
import { z } from 'zod';

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes (a Uint8Array)');
const floats = z.custom<Float32Array>((value) => value instanceof Float32Array, 'expected numbers (a Float32Array)');

/** What the thread is started with (its workerData). */
export const InferenceSetup = z.object({
  /** The model's bytes, or the path of its file. */
  model: z.union([bytes, z.string()]),
  input: z.string(),
  output: z.string(),
  inputSize: z.number().int().positive(),
  /** onnxruntime's CPU threads for this session. */
  threads: z.number().int().positive(),
});
export type InferenceSetup = z.infer<typeof InferenceSetup>;

export const ToInference = z.discriminatedUnion('type', [
  /** `count` photos of inputSize x inputSize RGB bytes, one after another. */
  z.object({ type: z.literal('run'), id: z.number().int(), pixels: bytes, count: z.number().int().positive() }),
  z.object({ type: z.literal('release') }),
]);
export type ToInference = z.infer<typeof ToInference>;

export const FromInference = z.discriminatedUnion('type', [
  /** The session exists: what runs it, and the batch size its input requires (null: any). */
  z.object({ type: z.literal('ready'), engine: z.string(), fixedBatch: z.number().int().positive().nullable() }),
  /** The session could not be made (a damaged model…): the job fails with this message. */
  z.object({ type: z.literal('unusable'), message: z.string() }),
  z.object({ type: z.literal('rows'), id: z.number().int(), rows: floats }),
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
  z.object({ type: z.literal('released') }),
]);
export type FromInference = z.infer<typeof FromInference>;
