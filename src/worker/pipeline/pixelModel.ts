/**
 * A network from pixels to output rows — a backbone to its features, a classifier to its
 * probabilities, a frozen trunk to its activations — whatever runs it. onnxruntime runs Graft's
 * converted models (several times faster than TensorFlow.js on wasm, and on the GPU where there
 * is one); TensorFlow.js runs what the converter cannot take (some imported models). This is
 * the one place that choice is made.
 */
import { UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { initTensorflow, tf } from '../ml/tensorflow';
import { cpuIsCertain, createSession, inferenceThreads as inferenceThreadCount } from './computeDevice';
import { InferenceThreadUnavailable, inferenceThreadScript, sessionPool, startInferenceThread, type BatchRunner } from './inferenceClient';
import type { InferenceSetup } from './inferenceProtocol';
import { fixedBatch, pixelRunner } from './onnxSession';

export interface PixelModel {
  readonly inputSize: number;
  /** What runs it, for people: "onnxruntime 1.30.0 on the CPU (2 threads)", "TensorFlow.js wasm". */
  readonly engine: string;
  /** Batches it runs at once: photoBatches keeps that many running. */
  readonly parallel: number;
  /** Output rows, one after another, for photos given as inputSize x inputSize RGB bytes (0–255). */
  run(photos: Uint8Array[]): Promise<Float32Array>;
  release(): Promise<void>;
}

function floatPixels(photos: Uint8Array[], inputSize: number): Float32Array {
  const length = inputSize * inputSize * 3;
  const pixels = new Float32Array(photos.length * length);
  photos.forEach((photo, i) => pixels.set(photo, i * length));
  return pixels;
}

/** The photos' bytes one after another, in a buffer of their own (it is moved to the inference thread). */
function joinedPixels(photos: Uint8Array[], inputSize: number): Uint8Array {
  const length = inputSize * inputSize * 3;
  const pixels = new Uint8Array(photos.length * length);
  photos.forEach((photo, i) => pixels.set(photo, i * length));
  return pixels;
}

/**
 * An ONNX model with one NHWC float input of pixels 0–255 and one output, run in the job's
 * inference thread (or, from sources or where no thread starts, on the job's own thread).
 */
export async function onnxPixelModel(model: Uint8Array | string, io: { input: string; output: string }, inputSize: number): Promise<PixelModel> {
  const script = inferenceThreadScript();
  let unavailable = '';
  if (script) {
    try {
      return batchedModel(await inferenceThreads(script, { model, ...io, inputSize }, sessionCount()), inputSize);
    } catch (error) {
      if (!(error instanceof InferenceThreadUnavailable)) throw error;
      unavailable = `; its own thread could not start (${error.message})`;
    }
  }
  const { session, device } = await createSession(model);
  return batchedModel(
    {
      engine: device.description + unavailable,
      parallel: 1,
      fixedBatch: fixedBatch(session, io.input),
      run: pixelRunner(session, device.provider, io, inputSize),
      release: () => session.release(),
    },
    inputSize,
  );
}

/**
 * On the CPU, two sessions sharing the cores (see sessionPool): each holds its own working memory
 * (another 0.15–0.27 GB for MobileNetV1 on batches of 16, less since a session runs 4 photos at a
 * time: bench/memory.bench.mjs),
 * and the pipeline keeps two batches ahead — enough to feed two, not one per core. On a GPU, one
 * session.
 */
const CPU_SESSIONS = 2;

function sessionCount(): number {
  return cpuIsCertain() ? Math.min(CPU_SESSIONS, inferenceThreadCount()) : 1;
}

/** `sessions` sessions, each in its own thread, the cores shared between them. */
async function inferenceThreads(script: string, setup: Omit<InferenceSetup, 'threads'>, sessions: number): Promise<BatchRunner> {
  const cores = inferenceThreadCount();
  if (sessions <= 1) return startInferenceThread(script, { ...setup, threads: cores });
  const threads = Math.max(1, Math.floor(cores / sessions));
  const started = await Promise.allSettled(Array.from({ length: sessions }, () => startInferenceThread(script, { ...setup, threads })));
  const runners = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(runners.map((r) => r.release()));
    throw failed.reason;
  }
  return sessionPool(runners, runners[0].engine.replace(/\(\d+ threads?\)/, `(${threads * sessions} threads)`));
}

/** Photos through a runner, in the batches its model takes (a model with a fixed batch size gets exactly that many). */
function batchedModel(runner: BatchRunner, inputSize: number): PixelModel {
  const batch = runner.fixedBatch;
  return {
    inputSize,
    engine: runner.engine,
    parallel: runner.parallel,
    async run(photos) {
      if (batch === null || batch === photos.length) return runner.run(joinedPixels(photos, inputSize), photos.length);
      // A model with a fixed batch size takes the photos that many at a time, the last group padded with black photos.
      const rows: Float32Array[] = [];
      for (let start = 0; start < photos.length; start += batch) {
        const group = photos.slice(start, start + batch);
        const padded = [...group, ...Array.from({ length: batch - group.length }, () => new Uint8Array(inputSize * inputSize * 3))];
        const output = await runner.run(joinedPixels(padded, inputSize), batch);
        rows.push(output.subarray(0, (output.length / batch) * group.length));
      }
      const all = new Float32Array(rows.reduce((sum, r) => sum + r.length, 0));
      let offset = 0;
      for (const r of rows) {
        all.set(r, offset);
        offset += r.length;
      }
      return all;
    },
    release: () => runner.release(),
  };
}

/** A TensorFlow.js function from pixels (float 0–255, NHWC) to rows. */
export interface TfjsNetwork {
  predict(pixels: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

export async function tfjsPixelModel(network: TfjsNetwork, inputSize: number): Promise<PixelModel> {
  const backend = await initTensorflow();
  return {
    inputSize,
    engine: `TensorFlow.js ${backend.name}`,
    parallel: 1,
    async run(photos) {
      const output = tf.tidy(() => network.predict(tf.tensor4d(floatPixels(photos, inputSize), [photos.length, inputSize, inputSize, 3])));
      const data = (await output.data()) as Float32Array;
      output.dispose();
      return data;
    },
    release: async () => network.dispose(),
  };
}

/**
 * The model in onnxruntime when Graft's converter takes it, else in TensorFlow.js. `onnx` throws
 * UnsupportedByOnnx (naming the layer) when it cannot convert; `tfjs` builds the fallback.
 */
export async function pixelModel(build: { onnx: () => Promise<{ model: Uint8Array; input: string; output: string }>; tfjs: () => Promise<TfjsNetwork> }, inputSize: number): Promise<PixelModel> {
  let converted: { model: Uint8Array; input: string; output: string };
  try {
    converted = await build.onnx();
  } catch (error) {
    if (!(error instanceof UnsupportedByOnnx)) throw error;
    return tfjsPixelModel(await build.tfjs(), inputSize);
  }
  return onnxPixelModel(converted.model, converted, inputSize);
}
