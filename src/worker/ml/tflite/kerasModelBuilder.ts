/**
 * Writes a TensorFlow.js layers model — the Keras-style `modelTopology` JSON, its weight specs and
 * one weight buffer — layer by layer: exactly what tf.io.fromMemory / tf.loadLayersModel take and
 * what a model folder holds as model.json + weights.bin. Layer configs are Keras JSON (snake_case);
 * what a config leaves out takes TensorFlow.js's default.
 */
import type { tf } from '../tensorflow';

export interface LayersModelArtifacts {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export interface LayerWeight {
  /** The weight's name within its layer: kernel, depthwise_kernel, bias. */
  name: string;
  shape: number[];
  values: Float32Array;
}

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, Record<string, never>][][];
}

export class KerasModelBuilder {
  private readonly layers: LayerJson[] = [];
  private readonly weights: { spec: tf.io.WeightsManifestEntry; values: Float32Array }[] = [];
  private readonly names = new Set<string>();
  private inputName = '';

  constructor(private readonly modelName: string) {}

  /** A name not yet taken, made of the characters TensorFlow.js accepts in weight names. */
  private uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?=[^A-Za-z])/, 'layer_') || 'layer';
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** The model's input, [batch, ...shape]. */
  input(hint: string, shape: number[]): string {
    const name = this.uniqueName(hint);
    this.inputName = name;
    this.layers.push({ name, class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name }, inbound_nodes: [] });
    return name;
  }

  /** Adds a layer applied to the outputs of `inputs` (layer names); returns its name. */
  layer(className: string, hint: string, config: Record<string, unknown>, inputs: string[], weights: LayerWeight[] = []): string {
    const name = this.uniqueName(hint);
    this.layers.push({ name, class_name: className, config: { ...config, name, trainable: true }, inbound_nodes: [inputs.map((input) => [input, 0, 0, {}])] });
    for (const w of weights) this.weights.push({ spec: { name: `${name}/${w.name}`, shape: w.shape, dtype: 'float32' }, values: w.values });
    return name;
  }

  build(output: string): LayersModelArtifacts {
    const bytes = new Uint8Array(this.weights.reduce((n, w) => n + w.values.byteLength, 0));
    let offset = 0;
    for (const w of this.weights) {
      bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
      offset += w.values.byteLength;
    }
    return {
      modelTopology: {
        class_name: 'Model',
        config: { name: this.modelName, layers: this.layers, input_layers: [[this.inputName, 0, 0]], output_layers: [[output, 0, 0]] },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightSpecs: this.weights.map((w) => w.spec),
      weightData: bytes.buffer,
    };
  }
}
