/**
 * Multinomial logistic regression with an L2 penalty on the weights (not the bias), solved to
 * convergence by L-BFGS, full batch, in plain typed-array arithmetic — the convex problem that
 * scikit-learn's `LogisticRegression(C = 1 / l2)` solves, with the same objective:
 *
 *   Σ_i s_i · crossEntropy(softmax(W x_i + b), y_i) + (l2 / 2) · ‖W‖²
 *
 * (s_i the sample's class weight). The solver minimises that divided by Σ s_i, so that values
 * and gradient tolerances mean the same for any number of photos. Features are centred inside
 * the solver, exactly (the bias absorbs the means, and is unpenalised), and each weight's step
 * is scaled by the inverse of its feature's variance (the L-BFGS preconditioner): both only
 * change how fast it converges, never the solution, which is returned for the raw features.
 */
import { minimizeLbfgs, type LineRestriction, type SmoothObjective, type StopReason } from './lbfgs';
import { multiplyRows, transposed, type MultiplyRows } from './rowProducts';

export interface LabelledFeatures {
  /** Row-major, one feature vector per photo. */
  features: Float32Array;
  /** Class index of each row. */
  labels: ArrayLike<number>;
}

/** A softmax-regression model on raw features: `logits = weights · x + bias`. */
export interface SoftmaxModel {
  inputSize: number;
  classCount: number;
  /** `classCount × inputSize`, row-major: row c holds class c's weights. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface IterationProgress {
  iteration: number;
  /** The objective divided by the total sample weight: the mean weighted loss plus the penalty share. */
  objective: number;
  gradientNorm: number;
}

export interface SolveOptions {
  classCount: number;
  /** The penalty `l2 / 2 · ‖W‖²` (scikit-learn's `1 / C`); must be positive. */
  l2: number;
  /** Per-class weights of the loss (class imbalance); 1 for all when absent. */
  classWeights?: number[];
  /** A starting point (warm start); zero when absent. The solution does not depend on it, only the time to reach it. */
  initial?: SoftmaxModel;
  /** Stop when no gradient component of the objective divided by the total sample weight exceeds this; 1e-5 when absent. */
  gradientTolerance?: number;
  signal?: AbortSignal;
  onIteration?(progress: IterationProgress): void;
  /** Computes the solver's products (a row-product thread's, to use two cores); `multiplyRows` when absent. */
  multiply?: MultiplyRows;
}

export interface SoftmaxSolution {
  model: SoftmaxModel;
  /** The objective divided by the total sample weight, at the solution. */
  objective: number;
  /** The largest gradient component (of that divided objective) in magnitude: the optimality residual. */
  gradientNorm: number;
  iterations: number;
  stopReason: StopReason;
}

/**
 * By default, stop when no gradient component of the per-sample objective exceeds this: ten
 * times tighter than scikit-learn's default `tol`, far below what changes a prediction.
 */
const GRADIENT_TOLERANCE = 1e-5;
/** A stall this small is rounding, not progress (scipy's L-BFGS-B stops at 2.2e-9). */
const RELATIVE_DECREASE_TOLERANCE = 1e-12;
/** Well-conditioned runs here take tens to a few hundred iterations; this only ends a broken one. */
const MAX_ITERATIONS = 2000;

/** Training rows with what every solve on them reuses: the transposed features, means and variances. */
export class PreparedRows {
  readonly count: number;
  readonly inputSize: number;
  readonly labels: Int32Array;
  readonly sampleWeights: Float64Array;
  readonly weightSum: number;
  readonly features: Float32Array;
  /** `inputSize × count`: the gradient is a product over the rows. */
  readonly columns: Float32Array;
  readonly means: Float64Array;
  readonly variances: Float64Array;

  constructor(
    data: LabelledFeatures,
    readonly classCount: number,
    classWeights?: number[],
  ) {
    this.count = data.labels.length;
    if (!this.count) throw new Error('Softmax regression needs at least one training row.');
    this.inputSize = data.features.length / this.count;
    if (!Number.isInteger(this.inputSize)) throw new Error(`${data.features.length} feature values do not split into ${this.count} rows.`);
    this.features = data.features;
    this.labels = Int32Array.from(data.labels);
    this.sampleWeights = Float64Array.from(this.labels, (label) => {
      if (!(label >= 0 && label < classCount)) throw new Error(`Label ${label} is not one of ${classCount} classes.`);
      return classWeights ? classWeights[label] : 1;
    });
    this.weightSum = this.sampleWeights.reduce((a, b) => a + b, 0);
    if (!(this.weightSum > 0)) throw new Error('The training rows have no weight: every class weight of their labels is zero.');
    this.columns = transposed(data.features, this.count, this.inputSize);
    this.means = new Float64Array(this.inputSize);
    this.variances = new Float64Array(this.inputSize);
    for (let j = 0; j < this.inputSize; j++) {
      let sum = 0;
      for (let i = 0; i < this.count; i++) sum += this.columns[j * this.count + i];
      const mean = sum / this.count;
      let squares = 0;
      for (let i = 0; i < this.count; i++) squares += (this.columns[j * this.count + i] - mean) ** 2;
      this.means[j] = mean;
      this.variances[j] = squares / this.count;
    }
  }
}

/**
 * The objective over `x = [W (classCount × inputSize, row-major), b']` with logits
 * `W (x_i − mean) + b'`. It keeps the logits of its current point, so that a line restriction
 * costs one product (the logits of the direction) and a settled step one more (the gradient).
 */
export class SoftmaxObjective implements SmoothObjective {
  readonly size: number;
  readonly preconditioner: Float64Array;
  private x: Float64Array = new Float64Array(0);
  private readonly logits: Float64Array;
  private readonly directionLogits: Float64Array;
  /** `classCount × count`: each row's weighted residual (probability − truth), by class. */
  private readonly residuals: Float64Array;
  private readonly products: Float64Array;
  private readonly row: Float64Array;

  constructor(
    private readonly rows: PreparedRows,
    private readonly l2: number,
    private readonly multiply: MultiplyRows = multiplyRows,
  ) {
    const { count, inputSize, classCount, variances, weightSum } = rows;
    this.size = classCount * inputSize + classCount;
    this.logits = new Float64Array(count * classCount);
    this.directionLogits = new Float64Array(count * classCount);
    this.residuals = new Float64Array(classCount * count);
    this.products = new Float64Array(inputSize * classCount);
    this.row = new Float64Array(classCount);
    // The diagonal of the Hessian at W = 0 (every probability 1/k): each weight's curvature is
    // its feature's variance times p(1 − p), plus the penalty's.
    const spread = (1 / classCount) * (1 - 1 / classCount);
    this.preconditioner = new Float64Array(this.size);
    for (let c = 0; c < classCount; c++) for (let j = 0; j < inputSize; j++) this.preconditioner[c * inputSize + j] = 1 / (spread * variances[j] + l2 / weightSum);
    this.preconditioner.fill(1 / spread, classCount * inputSize);
  }

  start(x: Float64Array, gradient: Float64Array): number {
    this.x = x;
    this.centredLogits(x, this.logits);
    return this.valueAndGradient(gradient);
  }

  along(direction: Float64Array): LineRestriction {
    const { count, classCount, inputSize, labels, sampleWeights, weightSum } = this.rows;
    this.centredLogits(direction, this.directionLogits);
    const weightCount = classCount * inputSize;
    let ww = 0;
    let wd = 0;
    let dd = 0;
    for (let i = 0; i < weightCount; i++) {
      ww += this.x[i] * this.x[i];
      wd += this.x[i] * direction[i];
      dd += direction[i] * direction[i];
    }
    const { logits, directionLogits, row, l2 } = this;
    return {
      at: (step) => {
        let loss = 0;
        let slope = 0;
        for (let i = 0; i < count; i++) {
          const offset = i * classCount;
          let max = -Infinity;
          for (let c = 0; c < classCount; c++) {
            row[c] = logits[offset + c] + step * directionLogits[offset + c];
            if (row[c] > max) max = row[c];
          }
          let sum = 0;
          let expected = 0;
          for (let c = 0; c < classCount; c++) {
            const e = Math.exp(row[c] - max);
            sum += e;
            expected += e * directionLogits[offset + c];
          }
          const label = labels[i];
          loss += sampleWeights[i] * (max + Math.log(sum) - row[label]);
          slope += sampleWeights[i] * (expected / sum - directionLogits[offset + label]);
        }
        return {
          value: (loss + 0.5 * l2 * (ww + 2 * step * wd + step * step * dd)) / weightSum,
          slope: (slope + l2 * (wd + step * dd)) / weightSum,
        };
      },
      settle: (step, gradient) => {
        for (let i = 0; i < logits.length; i++) logits[i] += step * directionLogits[i];
        return this.valueAndGradient(gradient);
      },
    };
  }

  /** `W (x_i − mean) + b'` for every row, for the parameters (or direction) `p`. */
  private centredLogits(p: Float64Array, out: Float64Array): void {
    const { features, count, inputSize, classCount, means } = this.rows;
    this.multiply(features, count, p, classCount, inputSize, out);
    for (let c = 0; c < classCount; c++) {
      let shift = p[classCount * inputSize + c];
      for (let j = 0; j < inputSize; j++) shift -= means[j] * p[c * inputSize + j];
      for (let i = 0; i < count; i++) out[i * classCount + c] += shift;
    }
  }

  /** The value at the current point, from its logits, and the gradient (one product over the rows). */
  private valueAndGradient(gradient: Float64Array): number {
    const { count, classCount, inputSize, labels, sampleWeights, weightSum, columns, means } = this.rows;
    const { logits, residuals, products, row, x, l2 } = this;
    let loss = 0;
    for (let i = 0; i < count; i++) {
      const offset = i * classCount;
      let max = -Infinity;
      for (let c = 0; c < classCount; c++) if (logits[offset + c] > max) max = logits[offset + c];
      let sum = 0;
      for (let c = 0; c < classCount; c++) {
        row[c] = Math.exp(logits[offset + c] - max);
        sum += row[c];
      }
      const label = labels[i];
      const weight = sampleWeights[i];
      loss += weight * (max + Math.log(sum) - logits[offset + label]);
      for (let c = 0; c < classCount; c++) residuals[c * count + i] = weight * (row[c] / sum - (c === label ? 1 : 0));
    }
    this.multiply(columns, inputSize, residuals, classCount, count, products);
    let penalty = 0;
    for (let c = 0; c < classCount; c++) {
      let residualSum = 0;
      for (let i = 0; i < count; i++) residualSum += residuals[c * count + i];
      for (let j = 0; j < inputSize; j++) {
        const w = x[c * inputSize + j];
        penalty += w * w;
        gradient[c * inputSize + j] = (products[j * classCount + c] - means[j] * residualSum + l2 * w) / weightSum;
      }
      gradient[classCount * inputSize + c] = residualSum / weightSum;
    }
    return (loss + 0.5 * l2 * penalty) / weightSum;
  }
}

/** Solves the problem for one penalty on rows already prepared (the regularisation path reuses them). */
export async function solvePrepared(rows: PreparedRows, options: Omit<SolveOptions, 'classCount' | 'classWeights'>): Promise<SoftmaxSolution> {
  if (!(options.l2 > 0)) throw new Error(`The L2 penalty must be positive (got ${options.l2}): without it separable classes have no finite solution.`);
  const { inputSize, classCount, means } = rows;
  const x = new Float64Array(classCount * inputSize + classCount);
  if (options.initial) {
    if (options.initial.inputSize !== inputSize || options.initial.classCount !== classCount) throw new Error('The starting model does not fit these features and classes.');
    x.set(options.initial.weights);
    for (let c = 0; c < classCount; c++) {
      let centredBias = options.initial.bias[c];
      for (let j = 0; j < inputSize; j++) centredBias += means[j] * options.initial.weights[c * inputSize + j];
      x[classCount * inputSize + c] = centredBias;
    }
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  const result = await minimizeLbfgs(new SoftmaxObjective(rows, options.l2, options.multiply), x, {
    gradientTolerance: options.gradientTolerance ?? GRADIENT_TOLERANCE,
    relativeDecreaseTolerance: RELATIVE_DECREASE_TOLERANCE,
    maxIterations: MAX_ITERATIONS,
    onIteration: async ({ iteration, value, gradientNorm }) => {
      options.onIteration?.({ iteration, objective: value, gradientNorm });
      if (signal) {
        // Let a cancel message in between iterations.
        await new Promise((resolve) => setImmediate(resolve));
        signal.throwIfAborted();
      }
    },
  });
  const weights = x.slice(0, classCount * inputSize);
  const bias = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) {
    let b = x[classCount * inputSize + c];
    for (let j = 0; j < inputSize; j++) b -= means[j] * weights[c * inputSize + j];
    bias[c] = b;
  }
  return { model: { inputSize, classCount, weights, bias }, objective: result.value, gradientNorm: result.gradientNorm, iterations: result.iterations, stopReason: result.stopReason };
}

/** Solves multinomial logistic regression with one L2 penalty, to convergence. */
export async function solveSoftmaxRegression(data: LabelledFeatures, options: SolveOptions): Promise<SoftmaxSolution> {
  return solvePrepared(new PreparedRows(data, options.classCount, options.classWeights), options);
}

/** Logits (`count × classCount`, row-major) of a model for rows of features. */
export function softmaxLogits(model: SoftmaxModel, features: Float32Array): Float64Array {
  const count = features.length / model.inputSize;
  const logits = new Float64Array(count * model.classCount);
  multiplyRows(features, count, model.weights, model.classCount, model.inputSize, logits);
  for (let i = 0; i < count; i++) for (let c = 0; c < model.classCount; c++) logits[i * model.classCount + c] += model.bias[c];
  return logits;
}

/** Mean cross-entropy (weighted by class when weights are given) and accuracy of a model on labelled rows. */
export function measureSoftmax(model: SoftmaxModel, data: LabelledFeatures, classWeights?: number[]): { loss: number; accuracy: number } {
  const logits = softmaxLogits(model, data.features);
  const k = model.classCount;
  let loss = 0;
  let weightSum = 0;
  let correct = 0;
  for (let i = 0; i < data.labels.length; i++) {
    const row = logits.subarray(i * k, (i + 1) * k);
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < k; c++) if (row[c] > max) [max, best] = [row[c], c];
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(row[c] - max);
    const label = data.labels[i];
    const weight = classWeights ? classWeights[label] : 1;
    loss += weight * (max + Math.log(sum) - row[label]);
    weightSum += weight;
    if (best === label) correct++;
  }
  return { loss: weightSum ? loss / weightSum : 0, accuracy: data.labels.length ? correct / data.labels.length : 0 };
}
