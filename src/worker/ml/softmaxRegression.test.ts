import { describe, expect, it } from 'vitest';
import { seededRandom } from './fit';
import { PreparedRows, SoftmaxObjective, measureSoftmax, solveSoftmaxRegression, type LabelledFeatures, type SoftmaxModel } from './softmaxRegression';

/** Gaussian-ish blobs: class c centred at `separation · e_c` (wrapping), with uniform noise and a common offset, so that the features are not centred. */
function blobs(count: number, inputSize: number, classCount: number, separation: number, seed: number): LabelledFeatures {
  const random = seededRandom(seed);
  const labels = Array.from({ length: count }, (_, i) => i % classCount);
  const features = new Float32Array(count * inputSize);
  labels.forEach((label, i) => {
    for (let j = 0; j < inputSize; j++) features[i * inputSize + j] = 2 + (j % classCount === label ? separation : 0) + (random() - 0.5) * 2 * (1 + (j % 3));
  });
  return { features, labels };
}

/**
 * The gradient of the objective (divided by the total weight) at a model on raw features, written
 * the plain way, independently of the solver's centred, product-blocked one.
 */
function plainGradient(model: SoftmaxModel, data: LabelledFeatures, l2: number, classWeights?: number[]): Float64Array {
  const { inputSize: d, classCount: k, weights, bias } = model;
  const gradient = new Float64Array(k * d + k);
  let weightSum = 0;
  for (let i = 0; i < data.labels.length; i++) {
    const x = data.features.subarray(i * d, (i + 1) * d);
    const logits = Array.from({ length: k }, (_, c) => bias[c] + x.reduce((sum, v, j) => sum + v * weights[c * d + j], 0));
    const max = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - max));
    const total = exps.reduce((a, b) => a + b, 0);
    const s = classWeights ? classWeights[data.labels[i]] : 1;
    weightSum += s;
    for (let c = 0; c < k; c++) {
      const residual = s * (exps[c] / total - (c === data.labels[i] ? 1 : 0));
      for (let j = 0; j < d; j++) gradient[c * d + j] += residual * x[j];
      gradient[k * d + c] += residual;
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) gradient[c * d + j] += l2 * weights[c * d + j];
  return gradient.map((g) => g / weightSum);
}

const maxAbs = (values: ArrayLike<number>) => Math.max(...Array.from(values, Math.abs));

describe('the softmax-regression objective', () => {
  const data = blobs(37, 6, 3, 1, 1);
  const rows = new PreparedRows(data, 3, [1, 2, 0.5]);
  const objective = new SoftmaxObjective(rows, 0.7);
  const random = seededRandom(2);
  const point = Float64Array.from({ length: objective.size }, () => random() - 0.5);
  const valueAt = (x: Float64Array) => objective.start(Float64Array.from(x), new Float64Array(objective.size));

  it('has the gradient that finite differences of its value give', () => {
    const gradient = new Float64Array(objective.size);
    objective.start(Float64Array.from(point), gradient);
    const h = 1e-5;
    for (let i = 0; i < objective.size; i++) {
      const up = Float64Array.from(point);
      const down = Float64Array.from(point);
      up[i] += h;
      down[i] -= h;
      expect(gradient[i]).toBeCloseTo((valueAt(up) - valueAt(down)) / (2 * h), 8);
    }
  });

  it('restricted to a line, gives the values, slopes and gradients of the full objective there', () => {
    const x = Float64Array.from(point);
    const gradient = new Float64Array(objective.size);
    objective.start(x, gradient);
    const direction = Float64Array.from({ length: objective.size }, () => random() - 0.5);
    const step = 0.37;
    const moved = x.map((v, i) => v + step * direction[i]);
    const movedGradient = new Float64Array(objective.size);
    const movedValue = objective.start(Float64Array.from(moved), movedGradient);
    objective.start(x, gradient);
    const restricted = objective.along(direction);
    expect(restricted.at(0).slope).toBeCloseTo(gradient.reduce((sum, g, i) => sum + g * direction[i], 0), 12);
    expect(restricted.at(step).value).toBeCloseTo(movedValue, 12);
    expect(restricted.at(step).slope).toBeCloseTo(movedGradient.reduce((sum, g, i) => sum + g * direction[i], 0), 12);
    x.set(moved);
    const settled = new Float64Array(objective.size);
    expect(restricted.settle(step, settled)).toBeCloseTo(movedValue, 12);
    settled.forEach((g, i) => expect(g).toBeCloseTo(movedGradient[i], 12));
  });
});

describe('solveSoftmaxRegression', () => {
  it('solves a non-separable problem to optimality: the gradient at the solution vanishes', async () => {
    const data = blobs(300, 12, 4, 0.8, 3);
    const solution = await solveSoftmaxRegression(data, { classCount: 4, l2: 0.5 });
    expect(solution.stopReason).toBe('gradient');
    // Checked with a gradient computed independently: fails if the solver stops short of the optimum.
    expect(maxAbs(plainGradient(solution.model, data, 0.5))).toBeLessThan(2e-5);
    expect(measureSoftmax(solution.model, data).accuracy).toBeGreaterThan(0.6);
    // Continuing from the solution finds nothing lower.
    const again = await solveSoftmaxRegression(data, { classCount: 4, l2: 0.5, initial: solution.model });
    expect(solution.objective - again.objective).toBeLessThan(1e-9);
  });

  it('solves a separable problem to optimality, where only the penalty keeps the weights finite', async () => {
    const data = blobs(120, 8, 3, 6, 4);
    const solution = await solveSoftmaxRegression(data, { classCount: 3, l2: 1e-3 });
    expect(measureSoftmax(solution.model, data).accuracy).toBe(1);
    expect(solution.stopReason).toBe('gradient');
    expect(maxAbs(plainGradient(solution.model, data, 1e-3))).toBeLessThan(2e-5);
  });

  it('with two classes, is binary logistic regression with half the penalty (solved here by Newton on one feature)', async () => {
    const random = seededRandom(5);
    const xs = Array.from(Float32Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : -0.5) + 2 * (random() - 0.5)));
    const ys = xs.map((_, i) => i % 2);
    const l2 = 3;
    // Binary: minimise Σ log(1 + exp(-(2y-1)(w x + b))) + (l2 / 4) w², by Newton's method on (w, b).
    let [w, b] = [0, 0];
    for (let step = 0; step < 50; step++) {
      let [gw, gb, hww, hwb, hbb] = [(l2 / 2) * w, 0, l2 / 2, 0, 0];
      xs.forEach((x, i) => {
        const p = 1 / (1 + Math.exp(-(w * x + b)));
        gw += (p - ys[i]) * x;
        gb += p - ys[i];
        hww += p * (1 - p) * x * x;
        hwb += p * (1 - p) * x;
        hbb += p * (1 - p);
      });
      const det = hww * hbb - hwb * hwb;
      w -= (hbb * gw - hwb * gb) / det;
      b -= (hww * gb - hwb * gw) / det;
    }
    const { model } = await solveSoftmaxRegression({ features: Float32Array.from(xs), labels: ys }, { classCount: 2, l2, gradientTolerance: 1e-10 });
    expect(model.weights[1] - model.weights[0]).toBeCloseTo(w, 6);
    expect(model.bias[1] - model.bias[0]).toBeCloseTo(b, 6);
    // The penalty makes the two classes' weights opposite; the bias is unpenalised, so only its difference is determined.
    expect(model.weights[0]).toBeCloseTo(-model.weights[1], 6);
  });

  it('weights classes as if their photos were repeated, which moves the boundary towards the other class', async () => {
    const random = seededRandom(6);
    const xs = Array.from({ length: 80 }, (_, i) => (i % 2 ? 1 : -1) + 3 * (random() - 0.5));
    const ys = xs.map((_, i) => i % 2);
    const boundary = (model: SoftmaxModel) => -(model.bias[1] - model.bias[0]) / (model.weights[1] - model.weights[0]);
    const { model: plain } = await solveSoftmaxRegression({ features: Float32Array.from(xs), labels: ys }, { classCount: 2, l2: 1 });
    const { model: weighted } = await solveSoftmaxRegression({ features: Float32Array.from(xs), labels: ys }, { classCount: 2, l2: 1, classWeights: [1, 3] });
    const repeated = [...xs, ...xs.filter((_, i) => ys[i] === 1), ...xs.filter((_, i) => ys[i] === 1)];
    const repeatedLabels = [...ys, ...Array(80).fill(1)];
    const { model: duplicated } = await solveSoftmaxRegression({ features: Float32Array.from(repeated), labels: repeatedLabels }, { classCount: 2, l2: 1 });
    // Class 1 sits at +1: weighting it three times pushes the boundary towards class 0, at -1.
    expect(boundary(weighted)).toBeLessThan(boundary(plain) - 0.2);
    expect(boundary(weighted)).toBeCloseTo(boundary(duplicated), 5);
  });

  it('is deterministic: the same rows give bit-identical weights', async () => {
    const data = blobs(150, 10, 3, 1, 7);
    const [a, b] = await Promise.all([solveSoftmaxRegression(data, { classCount: 3, l2: 0.1 }), solveSoftmaxRegression(data, { classCount: 3, l2: 0.1 })]);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(b.model.weights.buffer))).toBe(true);
    expect(Buffer.from(a.model.bias.buffer).equals(Buffer.from(b.model.bias.buffer))).toBe(true);
  });

  it('reports every iteration and stops with an AbortError when the signal is aborted', async () => {
    const data = blobs(200, 10, 3, 1, 8);
    const controller = new AbortController();
    const seen: number[] = [];
    const solving = solveSoftmaxRegression(data, {
      classCount: 3,
      l2: 0.01,
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        seen.push(iteration);
        if (iteration === 3) controller.abort();
      },
    });
    await expect(solving).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses labels outside the classes and a penalty that is not positive', async () => {
    const data = blobs(10, 2, 2, 1, 9);
    await expect(solveSoftmaxRegression(data, { classCount: 1, l2: 1 })).rejects.toThrow(/Label 1 is not one of 1 classes/);
    await expect(solveSoftmaxRegression(data, { classCount: 2, l2: 0 })).rejects.toThrow(/must be positive/);
  });
});
