/**
 * The training loop, in the manner of Keras `fit` and fastai's `Learner`: the loop only trains;
 * progress, early stopping, history and anything else hook in as callbacks.
 */
import type { EpochPoint } from '../../shared/api/training';
import { tf } from './tensorflow';
import type { ParameterModel } from './parameterModel';

export interface TrainingState {
  readonly model: ParameterModel<unknown>;
  readonly epochs: number;
  /** A callback sets this to end training after the current epoch. */
  stop: boolean;
}

export interface Callback {
  onTrainBegin?(state: TrainingState): void;
  onEpochEnd?(logs: EpochPoint, state: TrainingState): void | Promise<void>;
  onTrainEnd?(state: TrainingState): void;
}

export interface Dataset {
  /** Class index of each row. */
  labels: number[];
  /**
   * The model's input for these rows: augmented (seeded) while training, as they are when
   * `augmentSeed` is null. May be computed on demand (decoded photos through a frozen network);
   * the loop disposes it.
   */
  rows(indices: number[], augmentSeed: number | null): tf.Tensor | Promise<tf.Tensor>;
}

/** A dataset held in memory as one tensor (feature vectors, or small images for a CNN). */
export function tensorDataset(features: tf.Tensor, labels: number[], augment?: (batch: tf.Tensor, seed: number) => tf.Tensor): Dataset {
  return {
    labels,
    rows: (indices, augmentSeed) =>
      tf.tidy(() => {
        const gathered = tf.gather(features, tf.tensor1d(indices, 'int32'));
        return augment && augmentSeed !== null ? augment(gathered, augmentSeed) : gathered;
      }),
  };
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

const MEASURE_CHUNK = 128;

/** Mean loss and accuracy over a dataset, in chunks so that a CNN's activations stay small. */
async function measure(model: ParameterModel<unknown>, data: Dataset, classCount: number, weights: number[] | undefined): Promise<{ loss: number; accuracy: number }> {
  const count = data.labels.length;
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += MEASURE_CHUNK) {
    const size = Math.min(MEASURE_CHUNK, count - start);
    const labels = data.labels.slice(start, start + size);
    const sampleWeights = labels.map((l) => (weights ? weights[l] : 1));
    const x = await data.rows(Array.from({ length: size }, (_, i) => start + i), null);
    tf.tidy(() => {
      const logits = model.logits(x, false);
      const truth = tf.tensor1d(labels, 'int32');
      const losses = tf.losses.softmaxCrossEntropy(tf.oneHot(truth, classCount), logits, undefined, undefined, tf.Reduction.NONE);
      lossSum += tf.sum(tf.mul(losses, tf.tensor1d(sampleWeights))).dataSync()[0];
      correct += tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'float32')).dataSync()[0];
    });
    x.dispose();
    weightSum += sampleWeights.reduce((a, b) => a + b, 0);
  }
  return { loss: weightSum ? lossSum / weightSum : 0, accuracy: count ? correct / count : 0 };
}

/** Class probabilities for every row of a dataset, in chunks. */
export async function predictDataset(model: ParameterModel<unknown>, data: Dataset, chunk = 64): Promise<number[][]> {
  const probabilities: number[][] = [];
  for (let start = 0; start < data.labels.length; start += chunk) {
    const x = await data.rows(Array.from({ length: Math.min(chunk, data.labels.length - start) }, (_, i) => start + i), null);
    const p = tf.tidy(() => tf.softmax(model.logits(x, false)));
    probabilities.push(...((await p.array()) as number[][]));
    tf.dispose([x, p]);
  }
  return probabilities;
}

/**
 * Trains with Adam in seeded, shuffled mini-batches. The training loss and accuracy of an epoch
 * are running means over its batches, as Keras reports them (with augmentation and dropout on);
 * the validation set is measured after each epoch.
 */
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
      let lossSum = 0;
      let weightSum = 0;
      let correct = 0;
      const batches: { rows: number[]; seed: number }[] = [];
      for (let start = 0; start < count; start += batchSize) batches.push({ rows: order.slice(start, start + batchSize), seed: Math.floor(random() * 2 ** 31) });
      // The next batch is prepared while this one trains: a dataset that decodes photos and runs a
      // frozen network (other threads) overlaps with the gradient step (this thread).
      let next: Promise<tf.Tensor> | null = batches.length ? Promise.resolve(train.rows(batches[0].rows, batches[0].seed + 1)) : null;
      for (let b = 0; b < batches.length; b++) {
        const x = await next!;
        next = b + 1 < batches.length ? Promise.resolve(train.rows(batches[b + 1].rows, batches[b + 1].seed + 1)) : null;
        if (options.signal?.aborted) {
          x.dispose();
          await next?.then((t) => t.dispose());
          return;
        }
        const { rows: batch, seed: dropoutSeed } = batches[b];
        const labels = batch.map((i) => train.labels[i]);
        const sampleWeights = labels.map((l) => (classWeights ? classWeights[l] : 1));
        tf.tidy(() => {
          const truth = tf.tensor1d(labels, 'int32');
          const y = tf.oneHot(truth, classCount);
          const w = classWeights ? tf.tensor1d(sampleWeights) : undefined;
          let predicted: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const logits = model.logits(x, true, dropoutSeed);
            predicted = tf.keep(tf.argMax(logits, 1));
            return tf.losses.softmaxCrossEntropy(y, logits, w) as tf.Scalar;
          }, model.variables);
          optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
          const batchWeight = sampleWeights.reduce((a, c) => a + c, 0);
          lossSum += value.dataSync()[0] * batchWeight;
          weightSum += batchWeight;
          correct += tf.sum(tf.cast(tf.equal(predicted!, truth), 'float32')).dataSync()[0];
          tf.dispose(predicted!);
        });
        x.dispose();
        // Let a cancel message in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const validated = validation && validation.labels.length ? await measure(model, validation, classCount, classWeights) : null;
      const logs: EpochPoint = { epoch: epoch + 1, loss: weightSum ? lossSum / weightSum : 0, accuracy: count ? correct / count : 0, valLoss: validated?.loss ?? null, valAccuracy: validated?.accuracy ?? null };
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

  onEpochEnd(logs: EpochPoint, state: TrainingState): void {
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
  readonly epochs: EpochPoint[] = [];

  onEpochEnd(logs: EpochPoint): void {
    this.epochs.push(logs);
  }
}
