/**
 * The training loop, in the manner of Keras `fit` and fastai's `Learner`: the loop only trains;
 * progress, early stopping, history and anything else hook in as callbacks.
 */
import { tf } from './tensorflow';
import type { Head } from './head';

export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface TrainingState {
  readonly head: Head;
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
  features: tf.Tensor2D;
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

function measure(head: Head, data: Dataset, classCount: number, weights: number[] | undefined): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const logits = head.logits(data.features, false);
    const labels = tf.tensor1d(data.labels, 'int32');
    const oneHot = tf.oneHot(labels, classCount);
    const sampleWeights = weights ? tf.tensor1d(data.labels.map((l) => weights[l])) : undefined;
    const loss = tf.losses.softmaxCrossEntropy(oneHot, logits, sampleWeights).dataSync()[0];
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')).dataSync()[0];
    return { loss, accuracy };
  });
}

export async function fit(head: Head, options: FitOptions, callbacks: Callback[]): Promise<void> {
  const { train, validation, classCount, batchSize, classWeights } = options;
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed);
  const state: TrainingState = { head, epochs: options.epochs, stop: false };
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
          const x = tf.gather(train.features, indices) as tf.Tensor2D;
          const labels = batch.map((b) => train.labels[b]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classCount);
          const w = classWeights ? tf.tensor1d(labels.map((l) => classWeights[l])) : undefined;
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, head.logits(x, true, dropoutSeed), w) as tf.Scalar, false, head.variables);
        });
        // Let a cancel message in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const trained = measure(head, train, classCount, classWeights);
      const validated = validation && validation.labels.length ? measure(head, validation, classCount, classWeights) : null;
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
      this.bestWeights = state.head.snapshot();
    } else if (++this.waited >= this.patience) {
      state.stop = true;
    }
  }

  onTrainEnd(state: TrainingState): void {
    if (!this.bestWeights) return;
    state.head.restore(this.bestWeights);
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
