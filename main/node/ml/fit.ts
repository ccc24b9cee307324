/**
 * The training loop, in the manner of Keras `fit` and fastai's `Learner`: the loop only trains;
 * progress, early stopping, history and anything else hook in as callbacks.
 */
import { tf } from './tensorflow';
import type { ParameterModel } from './parameterModel';

export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface TrainingState {
  readonly model: ParameterModel<unknown>;
  readonly epochs: number;
  /** A callback sets this to end training after the current epoch. */
  stop: boolean;
}

export interface Callback {
  onTrainBegin?(state: TrainingState): void;
  onEpochEnd?(logs: EpochLogs, state: TrainingState): void | Promise<void>;
  onTrainEnd?(state: TrainingState): void;
}

export interface Dataset {
  /** One row per example: feature vectors, or images for a CNN. */
  features: tf.Tensor;
  /** Class index of each row. */
  labels: number[];
}

export interface FitOptions {
  train: Dataset;
  validation: Dataset | null;
  classCount: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Per-class loss weights (class imbalance); 1 for all when absent. */
  classWeights?: number[];
  seed: number;
  /** Changes each training batch (data augmentation); never applied to validation. */
  augment?: (batch: tf.Tensor, seed: number) => tf.Tensor;
  signal?: AbortSignal;
}

/** A small seeded generator (mulberry32), so that shuffles are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MEASURE_CHUNK = 128;

/** Mean loss and accuracy over a dataset, in chunks so that a CNN's activations stay small. */
function measure(model: ParameterModel<unknown>, data: Dataset, classCount: number, weights: number[] | undefined): { loss: number; accuracy: number } {
  const count = data.labels.length;
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += MEASURE_CHUNK) {
    const size = Math.min(MEASURE_CHUNK, count - start);
    const labels = data.labels.slice(start, start + size);
    const sampleWeights = labels.map((l) => (weights ? weights[l] : 1));
    tf.tidy(() => {
      const logits = model.logits(tf.slice(data.features, start, size), false);
      const truth = tf.tensor1d(labels, 'int32');
      const losses = tf.losses.softmaxCrossEntropy(tf.oneHot(truth, classCount), logits, undefined, undefined, tf.Reduction.NONE);
      lossSum += tf.sum(tf.mul(losses, tf.tensor1d(sampleWeights))).dataSync()[0];
      correct += tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'float32')).dataSync()[0];
    });
    weightSum += sampleWeights.reduce((a, b) => a + b, 0);
  }
  return { loss: weightSum ? lossSum / weightSum : 0, accuracy: count ? correct / count : 0 };
}

export async function fit(model: ParameterModel<unknown>, options: FitOptions, callbacks: Callback[]): Promise<void> {
  const { train, validation, classCount, batchSize, classWeights } = options;
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed);
  const state: TrainingState = { model, epochs: options.epochs, stop: false };
  const count = train.labels.length;
  const order = Array.from({ length: count }, (_, i) => i);
  callbacks.forEach((c) => c.onTrainBegin?.(state));
  try {
    for (let epoch = 0; epoch < options.epochs && !state.stop; epoch++) {
      for (let i = count - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start < count; start += batchSize) {
        if (options.signal?.aborted) return;
        const batch = order.slice(start, start + batchSize);
        const dropoutSeed = Math.floor(random() * 2 ** 31);
        tf.tidy(() => {
          const indices = tf.tensor1d(batch, 'int32');
          const gathered = tf.gather(train.features, indices);
          const x = options.augment ? options.augment(gathered, dropoutSeed + 1) : gathered;
          const labels = batch.map((b) => train.labels[b]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classCount);
          const w = classWeights ? tf.tensor1d(labels.map((l) => classWeights[l])) : undefined;
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.logits(x, true, dropoutSeed), w) as tf.Scalar, false, model.variables);
        });
        // Let a cancel message in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const trained = measure(model, train, classCount, classWeights);
      const validated = validation && validation.labels.length ? measure(model, validation, classCount, classWeights) : null;
      const logs: EpochLogs = { epoch: epoch + 1, loss: trained.loss, accuracy: trained.accuracy, valLoss: validated?.loss ?? null, valAccuracy: validated?.accuracy ?? null };
      for (const callback of callbacks) await callback.onEpochEnd?.(logs, state);
    }
  } finally {
    callbacks.forEach((c) => c.onTrainEnd?.(state));
    optimizer.dispose();
  }
}

/** Stops when the validation loss has not improved for `patience` epochs, and keeps the best weights. */
export class EarlyStopping implements Callback {
  private best = Infinity;
  private bestWeights: tf.Tensor[] | null = null;
  private waited = 0;
  bestEpoch = 0;

  constructor(private readonly patience: number) {}

  onEpochEnd(logs: EpochLogs, state: TrainingState): void {
    if (logs.valLoss === null) return;
    if (logs.valLoss < this.best - 1e-4) {
      this.best = logs.valLoss;
      this.bestEpoch = logs.epoch;
      this.waited = 0;
      if (this.bestWeights) tf.dispose(this.bestWeights);
      this.bestWeights = state.model.snapshot();
    } else if (++this.waited >= this.patience) {
      state.stop = true;
    }
  }

  onTrainEnd(state: TrainingState): void {
    if (!this.bestWeights) return;
    state.model.restore(this.bestWeights);
    tf.dispose(this.bestWeights);
    this.bestWeights = null;
  }
}

/** Records every epoch's logs, as Keras's History does. */
export class History implements Callback {
  readonly epochs: EpochLogs[] = [];

  onEpochEnd(logs: EpochLogs): void {
    this.epochs.push(logs);
  }
}
