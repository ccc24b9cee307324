/**
 * A network from pixels to output rows — a backbone to its features, a classifier to its
 * probabilities, a frozen trunk to its activations — whatever runs it. onnxruntime runs Graft's
 * converted models (several times faster than TensorFlow.js on wasm, and on the GPU where there
 * is one); TensorFlow.js runs what the converter cannot take (some imported models). This is
 * the one place that choice is made.
 */
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { initTensorflow, tf } from '../ml/tensorflow';
import { createSession } from './computeDevice';

export interface PixelModel {
  readonly inputSize: number;
  /** What runs it, for people: "onnxruntime 1.30.0 on the CPU (2 threads)", "TensorFlow.js wasm". */
  readonly engine: string;
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

/** An ONNX model with one NHWC float input of pixels 0–255 and one output. */
export async function onnxPixelModel(model: Uint8Array | string, io: { input: string; output: string }, inputSize: number): Promise<PixelModel> {
  const { session, device } = await createSession(model);
  return onnxSessionModel(session, io, inputSize, device.description);
}

function onnxSessionModel(session: ort.InferenceSession, io: { input: string; output: string }, inputSize: number, engine: string): PixelModel {
  return {
    inputSize,
    engine,
    async run(photos) {
      const output = await session.run({ [io.input]: new Tensor('float32', floatPixels(photos, inputSize), [photos.length, inputSize, inputSize, 3]) });
      return output[io.output].data as Float32Array;
    },
    release: () => session.release(),
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
