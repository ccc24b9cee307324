import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from './fit';
import { Head } from './head';
import { softmaxModelOf, trainSoftmaxHead, type HeadProgress } from './softmaxHead';
import { measureSoftmax, softmaxLogits, solveSoftmaxRegression, type LabelledFeatures } from './softmaxRegression';
import { initTensorflow, tf } from './tensorflow';

/** Rows whose class shifts the first `informative` features by `separation`; the other features are noise. */
function rows(count: number, inputSize: number, classCount: number, separation: number, seed: number): LabelledFeatures {
  const random = seededRandom(seed);
  const labels = Array.from({ length: count }, () => Math.floor(random() * classCount));
  const features = new Float32Array(count * inputSize);
  labels.forEach((label, i) => {
    for (let j = 0; j < inputSize; j++) features[i * inputSize + j] = 1 + (j % classCount === label ? separation : 0) + (random() - 0.5) * 2;
  });
  return { features, labels };
}

beforeAll(async () => {
  expect((await initTensorflow()).name).toBe('wasm');
});

describe('trainSoftmaxHead', () => {
  it('chooses the strongest penalty when the features say nothing about the class', async () => {
    const points: number[] = [];
    const head = await trainSoftmaxHead(rows(100, 30, 3, 0, 1), rows(300, 30, 3, 0, 2), { classCount: 3, onStrength: (point) => void points.push(point.epoch) });
    expect(points).toEqual([1, 2]);
    expect(head.chosen.epoch).toBe(1);
    // The path stops at the first rise of the validation loss.
    expect(head.history.map((p) => p.epoch)).toEqual([1, 2]);
    expect(head.history[1].valLoss).toBeGreaterThan(head.history[0].valLoss);
    expect(head.history[1].loss).toBeLessThan(head.history[0].loss);
  });

  it('chooses a weak penalty when many photos pin down a few informative features, and the lowest validation loss it saw', async () => {
    const head = await trainSoftmaxHead(rows(600, 4, 2, 1.5, 3), rows(600, 4, 2, 1.5, 4), { classCount: 2 });
    expect(head.chosen.epoch).toBeGreaterThanOrEqual(5);
    expect(head.chosen.valLoss).toBe(Math.min(...head.history.map((p) => p.valLoss)));
    expect(head.chosen.valAccuracy).toBeGreaterThan(0.85);
    // Strongest first: each weaker penalty fits the training photos more closely.
    head.history.slice(1).forEach((p, i) => {
      expect(p.l2).toBeLessThan(head.history[i].l2);
      expect(p.loss).toBeLessThan(head.history[i].loss);
    });
  });

  it('refits on train + validation to optimality, in the format Head reads', async () => {
    const train = rows(90, 12, 4, 1, 5);
    const validation = rows(40, 12, 4, 1, 6);
    const head = await trainSoftmaxHead(train, validation, { classCount: 4 });
    expect(head.weights.config).toMatchObject({ inputSize: 12, classCount: 4, hidden: 0 });
    expect(head.weights.tensors.map((t) => t.shape)).toEqual([[12, 4], [4]]);
    expect(head.gradientNorm).toBeLessThanOrEqual(1e-5);
    const model = softmaxModelOf(head.weights);
    const joined = { features: Float32Array.from([...train.features, ...validation.features]), labels: [...Array.from(train.labels), ...Array.from(validation.labels)] };
    const continued = await solveSoftmaxRegression(joined, { classCount: 4, l2: head.chosen.l2, initial: model, gradientTolerance: 1e-9 });
    // The objective (divided by the number of rows) at the returned model is the optimum's.
    const penalty = model.weights.reduce((sum, w) => sum + w * w, 0);
    const objective = measureSoftmax(model, joined).loss + (head.chosen.l2 * penalty) / (2 * joined.labels.length);
    expect(objective - continued.objective).toBeLessThan(1e-7);
    expect(objective - continued.objective).toBeGreaterThanOrEqual(0);
    // Head (TensorFlow.js, float32) predicts what the solver's model does.
    const loaded = Head.fromJSON(head.weights);
    const probabilities = await loaded.predict(tf.tensor2d(validation.features, [40, 12]));
    loaded.dispose();
    const logits = softmaxLogits(model, validation.features);
    probabilities.forEach((p, i) => {
      const row = Array.from(logits.subarray(i * 4, (i + 1) * 4));
      const max = Math.max(...row);
      const total = row.reduce((sum, z) => sum + Math.exp(z - max), 0);
      p.forEach((q, c) => expect(q).toBeCloseTo(Math.exp(row[c] - max) / total, 5));
    });
  });

  it('reports progress per iteration with its stage, and stops with an AbortError when cancelled', async () => {
    const controller = new AbortController();
    const seen: HeadProgress[] = [];
    const training = trainSoftmaxHead(rows(200, 10, 3, 1, 7), rows(60, 10, 3, 1, 8), {
      classCount: 3,
      signal: controller.signal,
      onIteration: (progress) => {
        seen.push(progress);
        if (progress.strengthIndex === 1 && progress.iteration === 2) controller.abort();
      },
    });
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.at(-1)).toMatchObject({ stage: 'choosing', strengthIndex: 1, iteration: 2, strengthCount: 11 });
    expect(seen[0]).toMatchObject({ stage: 'choosing', strengthIndex: 0, iteration: 1 });
  });

  it('needs validation photos', async () => {
    await expect(trainSoftmaxHead(rows(20, 4, 2, 1, 9), { features: new Float32Array(0), labels: [] }, { classCount: 2 })).rejects.toThrow(/needs validation photos/);
  });
});
