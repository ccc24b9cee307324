/**
 * Fine-tuning: the backbone's top block trains together with the head, on photos augmented
 * afresh every epoch (random crops, flips, brightness). The block below stays frozen and runs in
 * onnxruntime (converted by Graft, several times faster than TensorFlow.js here); the top block
 * and the head run in TensorFlow.js with gradients — the wasm backend's missing depthwise
 * gradient kernels are registered in wasmGradients.ts.
 *
 * The top block is interpreted from the backbone's own layers with plain tf ops on trainable
 * variables (its convolution kernels), so the training loop is the one every model uses. Batch
 * normalisation stays frozen at the statistics learned on ImageNet, as is usual when fine-tuning
 * on few photos.
 */
import type { HeadConfig, HeadWeights, LayerWeights, SavedWeights } from '../../shared/modelWeights';
import { pixelScaling, type Backbone } from '../../shared/catalogue';
import { EarlyStopping, fit, History, predictDataset, seededRandom, type Callback, type Dataset } from './fit';
import { ONNX_INPUT, TRUNK_OUTPUT, trunkToOnnx } from '../onnx/kerasToOnnx';
import { ParameterModel } from './parameterModel';
import type { EpochPoint, TrainParams } from '../../shared/api/training';
import type { JobContext } from '../../shared/jobs/jobContext';
import type { LabelledPhoto } from '../../node/data/libraryStore';
import { backboneFiles } from '../../node/models/modelStore';
import { photoPixels, type CropMode } from '../../node/photos/decode';
import { cachedOnnx } from '../onnx/onnxCache';
import { onnxPixelModel, type PixelModel } from '../pipeline/pixelModel';
import { loadBackboneModel } from './featureExtractor';
import { registerWasmGradientKernels } from './wasmGradients';
import { tf } from './tensorflow';

type Config = Record<string, unknown>;

interface TopLayer {
  name: string;
  className: string;
  config: Config;
  inputs: string[];
  /** Indices into the model's variables of this layer's trainable weights, in layer order. */
  trainable: number[];
  /** Frozen weights (batch normalisation), by name. */
  frozen: Map<string, tf.Tensor>;
}

/** The layers between `cut` (exclusive) and `output` (inclusive), in topological order. */
function layersBetween(model: tf.LayersModel, cut: string, output: string): tf.layers.Layer[] {
  const below = new Set<string>();
  const mark = (layer: tf.layers.Layer, set: Set<string>) => {
    if (set.has(layer.name)) return;
    set.add(layer.name);
    for (const node of layer.inboundNodes) for (const parent of node.inboundLayers) mark(parent, set);
  };
  mark(model.getLayer(cut), below);
  const needed = new Set<string>();
  const visit = (layer: tf.layers.Layer) => {
    if (needed.has(layer.name) || below.has(layer.name)) return;
    needed.add(layer.name);
    for (const node of layer.inboundNodes) for (const parent of node.inboundLayers) visit(parent);
  };
  visit(model.getLayer(output));
  return model.layers.filter((l) => needed.has(l.name));
}

const weightName = (w: tf.LayerVariable) => w.originalName.split('/').pop()!.replace(/_\d+$/, '');

export class FineTuneModel extends ParameterModel<{ head: HeadConfig; cut: string; pool: boolean }> {
  private readonly layers: TopLayer[];
  private readonly headStart: number;
  private readonly outputLayer: string;

  constructor(backbone: tf.LayersModel, spec: Backbone, head: SavedWeights<HeadConfig>) {
    const top = layersBetween(backbone, spec.fineTuneFrom!, spec.featureLayer);
    const initial: tf.Tensor[] = [];
    const layers: TopLayer[] = top.map((layer) => {
      const trainable: number[] = [];
      const frozen = new Map<string, tf.Tensor>();
      for (const w of layer.weights) {
        if (layer.getClassName() === 'BatchNormalization') frozen.set(weightName(w), w.read().clone());
        else {
          trainable.push(initial.length);
          initial.push(w.read().clone());
        }
      }
      return { name: layer.name, className: layer.getClassName(), config: layer.getConfig() as Config, inputs: layer.inboundNodes[0].inboundLayers.map((l) => l.name), trainable, frozen };
    });
    const headStart = initial.length;
    initial.push(...head.tensors.map((t) => tf.tensor(t.values, t.shape)));
    super({ head: head.config, cut: spec.fineTuneFrom!, pool: spec.pool }, initial);
    tf.dispose(initial);
    this.layers = layers;
    this.headStart = headStart;
    this.outputLayer = spec.featureLayer;
  }

  private layer(top: TopLayer, inputs: tf.Tensor[]): tf.Tensor {
    const c = top.config;
    const [x] = inputs;
    const weights = top.trainable.map((i) => this.variables[i]);
    const activation = (t: tf.Tensor, fn: unknown): tf.Tensor => {
      if (fn === undefined || fn === 'linear') return t;
      if (fn === 'relu') return tf.relu(t);
      if (fn === 'relu6') return tf.clipByValue(t, 0, 6);
      throw new Error(`Fine-tuning does not support the activation ${String(fn)} (${top.name}).`);
    };
    const padding = c.padding as 'same' | 'valid';
    switch (top.className) {
      case 'Conv2D': {
        const y = tf.conv2d(x as tf.Tensor4D, weights[0] as tf.Tensor4D, c.strides as [number, number], padding);
        return activation(weights[1] ? tf.add(y, weights[1]) : y, c.activation);
      }
      case 'DepthwiseConv2D': {
        const y = tf.depthwiseConv2d(x as tf.Tensor4D, weights[0] as tf.Tensor4D, c.strides as [number, number], padding);
        return activation(weights[1] ? tf.add(y, weights[1]) : y, c.activation);
      }
      case 'BatchNormalization': {
        const f = top.frozen;
        return tf.batchNorm(x, f.get('moving_mean')!, f.get('moving_variance')!, f.get('beta'), f.get('gamma'), c.epsilon as number);
      }
      case 'Activation':
        return activation(x, c.activation);
      case 'ReLU':
        return c.maxValue === null || c.maxValue === undefined ? tf.relu(x) : tf.clipByValue(x, 0, c.maxValue as number);
      case 'Add':
        return tf.addN(inputs);
      case 'ZeroPadding2D': {
        const [[top_, bottom], [left, right]] = c.padding as number[][];
        return tf.pad(x, [
          [0, 0],
          [top_, bottom],
          [left, right],
          [0, 0],
        ]);
      }
      case 'GlobalAveragePooling2D':
        return tf.mean(x, [1, 2]);
      case 'Dropout':
        return x;
      default:
        throw new Error(`Fine-tuning does not support ${top.className} layers (${top.name}).`);
    }
  }

  logits(activations: tf.Tensor, training: boolean, seed = 0): tf.Tensor2D {
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([[this.config.cut, activations]]);
      for (const top of this.layers) values.set(top.name, this.layer(top, top.inputs.map((i) => values.get(i)!)));
      let x = values.get(this.outputLayer)!;
      if (this.config.pool) x = tf.mean(x, [1, 2]);
      const head = this.variables.slice(this.headStart);
      if (head.length === 4) {
        if (training && this.config.head.dropout > 0) x = tf.dropout(x, this.config.head.dropout, undefined, seed);
        x = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, head[0] as tf.Tensor2D), head[1]));
      }
      return tf.add(tf.matMul(x as tf.Tensor2D, head.at(-2) as tf.Tensor2D), head.at(-1)!) as tf.Tensor2D;
    });
  }

  /** The head's weights, as a Head saves them. */
  async headWeights(): Promise<SavedWeights<HeadConfig>> {
    const tensors = await Promise.all(this.variables.slice(this.headStart).map(async (v) => ({ shape: v.shape, values: Array.from(await v.data()) })));
    return { config: this.config.head, tensors };
  }

  /** The fine-tuned layers' weights (frozen ones included, in the layer's order), for layer.setWeights. */
  async layerWeights(backbone: tf.LayersModel): Promise<LayerWeights> {
    const weights: LayerWeights = {};
    for (const top of this.layers) {
      if (!top.trainable.length) continue;
      const layer = backbone.getLayer(top.name);
      let next = 0;
      weights[top.name] = await Promise.all(
        layer.weights.map(async (w) => {
          const value = top.className === 'BatchNormalization' ? top.frozen.get(weightName(w))! : this.variables[top.trainable[next++]];
          return { shape: value.shape, values: Array.from(await value.data()) };
        }),
      );
    }
    return weights;
  }

  override dispose(): void {
    super.dispose();
    for (const top of this.layers) tf.dispose([...top.frozen.values()]);
  }
}

const AUGMENT_MARGIN = 1.14;

/** A random crop (from a slightly larger decode), a coin-flip mirror and a brightness change, seeded. */
function augment(source: Buffer, sourceSize: number, size: number, random: () => number): Uint8Array {
  const target = new Uint8ClampedArray(size * size * 3);
  const dx = Math.floor(random() * (sourceSize - size + 1));
  const dy = Math.floor(random() * (sourceSize - size + 1));
  const flip = random() < 0.5;
  const brightness = 0.8 + random() * 0.4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = flip ? dx + size - 1 - x : dx + x;
      const from = ((dy + y) * sourceSize + sx) * 3;
      const to = (y * size + x) * 3;
      for (let ch = 0; ch < 3; ch++) target[to + ch] = source[from + ch] * brightness;
    }
  }
  return new Uint8Array(target.buffer);
}

/**
 * Photos as the top block's input: decoded (augmented when training), then through the frozen
 * lower part (a PixelModel: onnxruntime, converted once and cached). Nothing is kept between
 * batches, so memory stays flat.
 */
export async function frozenTrunk(backbone: tf.LayersModel, spec: Backbone): Promise<{ model: PixelModel; dataset: (files: string[], labels: number[], crop: CropMode, random: (seed: number) => () => number) => Dataset }> {
  const cut = spec.fineTuneFrom!;
  const onnx = await cachedOnnx(`trunk-${spec.id}`, backboneFiles(spec), `${cut}:${spec.preprocessing}`, () => trunkToOnnx(backbone, cut, spec.inputSize, pixelScaling(spec.preprocessing)));
  const model = await onnxPixelModel(onnx, { input: ONNX_INPUT, output: TRUNK_OUTPUT }, spec.inputSize);
  const [, height, width, channels] = backbone.getLayer(cut).outputShape as number[];
  const size = spec.inputSize;
  const larger = Math.round(size * AUGMENT_MARGIN);
  const dataset = (files: string[], labels: number[], crop: CropMode, random: (seed: number) => () => number): Dataset => ({
    labels,
    async rows(indices, augmentSeed) {
      const rng = augmentSeed === null ? null : random(augmentSeed);
      const decoded = await Promise.all(indices.map((i) => photoPixels(files[i], rng ? larger : size, crop)));
      const photos = decoded.map((raw) => (rng ? augment(raw, larger, size, rng) : raw));
      return tf.tensor4d(await model.run(photos), [indices.length, height, width, channels]);
    },
  });
  return { model, dataset };
}

/**
 * The second stage of a fine-tuned run: the head trained on cached features goes on training
 * together with the backbone's top block, at a tenth of the learning rate, on photos augmented
 * afresh each epoch; early stopping on the same photos as the head's.
 */
export async function fineTuneTopBlock(
  backbone: Backbone,
  head: HeadWeights,
  sets: { fitting: LabelledPhoto[]; stopping: LabelledPhoto[]; test: LabelledPhoto[] },
  label: (p: LabelledPhoto) => number,
  options: { params: TrainParams; classCount: number; classWeights: number[]; context: JobContext; callbacks: (history: History) => Callback[] },
): Promise<{ history: EpochPoint[]; bestEpoch: number; testProbabilities: number[][]; head: HeadWeights; layers: LayerWeights; seconds: number }> {
  const started = Date.now();
  const { params, context } = options;
  registerWasmGradientKernels();
  // Photos whose file is gone (their features came from the cache) cannot be decoded again.
  const missing = [...sets.fitting, ...sets.stopping, ...sets.test].filter((p) => !p.path);
  if (missing.length) throw new Error(`${missing.length} labelled photos are missing from disk; fine-tuning needs every photo's file. Train without fine-tuning, or find the files again (import their folder).`);
  const full = await loadBackboneModel(backbone);
  const trunk = await frozenTrunk(full, backbone);
  const model = new FineTuneModel(full, backbone, head);
  const data = (set: LabelledPhoto[]) => trunk.dataset(set.map((p) => p.path!), set.map(label), params.crop, seededRandom);
  const history = new History();
  const stopping = new EarlyStopping(params.patience);
  try {
    context.progress(0, null, 'epochs', 'Fine-tuning the top block');
    await fit(
      model,
      {
        train: data(sets.fitting),
        validation: sets.stopping.length ? data(sets.stopping) : null,
        classCount: options.classCount,
        epochs: params.fineTuneEpochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate / 10,
        classWeights: options.classWeights,
        seed: params.seed + 1,
        signal: context.signal,
      },
      [...options.callbacks(history), stopping],
    );
    context.signal.throwIfAborted();
    return {
      history: history.epochs,
      bestEpoch: stopping.bestEpoch || history.epochs.length,
      testProbabilities: await predictDataset(model, data(sets.test)),
      head: await model.headWeights(),
      layers: await model.layerWeights(full),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    model.dispose();
    full.dispose();
    await trunk.model.release();
  }
}
