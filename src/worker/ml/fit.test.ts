import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarlyStopping, fit, History, seededRandom, tensorDataset, type Callback } from './fit';
import { Head } from './head';
import { initTensorflow, tf } from './tensorflow';

/** Two Gaussian blobs in 8 dimensions: a problem a softmax head must solve. */
function blobs(count: number, seed: number) {
  const random = seededRandom(seed);
  const labels: number[] = [];
  const rows: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    labels.push(label);
    for (let d = 0; d < 8; d++) rows.push((label ? 1 : -1) * (d < 2 ? 1.5 : 0) + (random() - 0.5) * 2);
  }
  return tensorDataset(tf.tensor2d(rows, [count, 8]), labels);
}

beforeAll(async () => {
  expect((await initTensorflow()).name).toBe('wasm');
});
afterAll(() => tf.disposeVariables());

describe('fit', () => {
  it('trains a head that separates two classes, calling every callback each epoch', async () => {
    const head = new Head({ inputSize: 8, classCount: 2, hidden: 0, dropout: 0, seed: 1 });
    const history = new History();
    const seen: number[] = [];
    const spy: Callback = { onEpochEnd: (logs) => void seen.push(logs.epoch) };
    await fit(head, { train: blobs(200, 1), validation: blobs(100, 2), classCount: 2, epochs: 15, batchSize: 16, learningRate: 0.05, seed: 1 }, [history, spy]);
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(history.epochs.at(-1)!.valAccuracy).toBeGreaterThan(0.9);
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
  });

  it('stops early when the validation loss stops improving, and keeps the best weights', async () => {
    const head = new Head({ inputSize: 8, classCount: 2, hidden: 16, dropout: 0.2, seed: 3 });
    const stopping = new EarlyStopping(2);
    const history = new History();
    const validation = blobs(40, 5);
    await fit(head, { train: blobs(40, 4), validation, classCount: 2, epochs: 300, batchSize: 8, learningRate: 0.1, seed: 2 }, [history, stopping]);
    expect(history.epochs.length).toBeLessThan(300);
    expect(stopping.bestEpoch).toBe(history.epochs.length - 2);
    // The model now holds the best epoch's weights, not the last epoch's: its validation loss is the best one.
    const rows = (await validation.rows(validation.labels.map((_, i) => i), null)) as tf.Tensor;
    const loss = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(validation.labels, 'int32'), 2), head.logits(rows, false)).dataSync()[0]);
    rows.dispose();
    const best = history.epochs[stopping.bestEpoch - 1].valLoss!;
    expect(Math.abs(loss - best)).toBeLessThan(best * 1e-3);
    expect(history.epochs.at(-1)!.valLoss!).toBeGreaterThan(best * 1.01);
  });

  it('is reproducible for a seed', async () => {
    const run = async () => {
      const head = new Head({ inputSize: 8, classCount: 2, hidden: 4, dropout: 0.3, seed: 7 });
      const history = new History();
      await fit(head, { train: blobs(64, 9), validation: null, classCount: 2, epochs: 3, batchSize: 16, learningRate: 0.01, seed: 7 }, [history]);
      return history.epochs.map((e) => e.loss);
    };
    expect(await run()).toEqual(await run());
  });
});
