/**
 * The head as a convex problem: softmax regression on backbone features with its L2 strength
 * chosen on the validation photos, then refitted on train + validation. Unlike a mini-batch loop
 * with early stopping, every fit is solved to its optimum, so the only thing left to choose is
 * the strength, and it is chosen by the one measure that matters: the validation log-loss.
 */
import type { EpochPoint } from '../../shared/api/training';
import type { HeadConfig, SavedWeights } from '../../shared/modelWeights';
import type { MultiplyRows } from './rowProducts';
import { measureSoftmax, PreparedRows, solvePrepared, type IterationProgress, type LabelledFeatures, type SoftmaxModel } from './softmaxRegression';

/**
 * The strengths tried, strongest first, as multiples of (total sample weight × mean feature
 * variance): at 1 the penalty's curvature matches the data's on an average weight — the weights
 * barely move off zero — and each half-decade below lets them fit the training photos more
 * closely, down to 1e-5, where a few photos per class are fitted exactly and the validation loss
 * has long been rising. Relative to the features' scale and the number of photos, so that one
 * grid serves every backbone and project size.
 */
const RELATIVE_STRENGTHS = Array.from({ length: 11 }, (_, i) => 10 ** (-i / 2));
/**
 * Along the path the validation loss falls, then rises as the weights start fitting noise, and
 * the weaker strengths are the slow ones to solve: the path stops at the first rise.
 */
const PATIENCE = 1;
/**
 * Each strength of the path is solved to scikit-learn's default tolerance: enough to rank the
 * strengths. The refit, the model that is kept, is solved ten times tighter.
 */
const PATH_GRADIENT_TOLERANCE = 1e-4;

export interface HeadProgress extends IterationProgress {
  stage: 'choosing' | 'refitting';
  /** Index of the strength in the path (the chosen one while refitting). */
  strengthIndex: number;
  strengthCount: number;
  l2: number;
}

export interface SoftmaxHeadOptions {
  classCount: number;
  /** Per-class loss weights (class imbalance), for training and for the validation loss; 1 for all when absent. */
  classWeights?: number[];
  signal?: AbortSignal;
  onIteration?(progress: HeadProgress): void;
  /** Called as each strength of the path is solved and measured: a live point of the Train view's curves. */
  onStrength?(point: StrengthPoint): void;
  /** Computes the solvers' products (a row-product thread's, to use two cores); `multiplyRows` when absent. */
  multiply?: MultiplyRows;
}

/** One strength of the path, as the Train view draws it: `epoch` is the strength's 1-based position, strongest first. */
export interface StrengthPoint extends EpochPoint {
  valLoss: number;
  valAccuracy: number;
  /** The penalty `l2 / 2 · ‖W‖²` on the summed loss (scikit-learn's `1 / C`). */
  l2: number;
  iterations: number;
}

export interface SoftmaxHeadResult {
  /** The refitted head, in the format `Head.fromJSON` reads (no hidden layer). */
  weights: SavedWeights<HeadConfig>;
  /** Every strength fitted on the train photos, strongest first. */
  history: StrengthPoint[];
  /** The point of `history` with the lowest validation loss. */
  chosen: StrengthPoint;
  /** Optimality residual of the refit: its largest gradient component (per-sample objective). */
  gradientNorm: number;
  /** L-BFGS iterations over the path and the refit. */
  iterations: number;
}

/** The strengths to try on these training rows, strongest first. */
export function strengthGrid(rows: PreparedRows): number[] {
  const meanVariance = rows.variances.reduce((a, b) => a + b, 0) / rows.inputSize;
  // Constant features leave only the bias to learn: any positive strength will do.
  return RELATIVE_STRENGTHS.map((r) => r * rows.weightSum * (meanVariance || 1));
}

/**
 * The next strength's starting point: the last two solutions extended by one more step along the
 * path (the strengths are evenly spaced in log), which starts it nearer its solution than the
 * last one alone — about a third fewer iterations on the benchmark's tasks.
 */
function extrapolated(a: SoftmaxModel, b: SoftmaxModel): SoftmaxModel {
  return { ...b, weights: b.weights.map((w, i) => 2 * w - a.weights[i]), bias: b.bias.map((w, i) => 2 * w - a.bias[i]) };
}

/** Train and validation rows as one set, for the refit. */
function joined(a: LabelledFeatures, b: LabelledFeatures): LabelledFeatures {
  const features = new Float32Array(a.features.length + b.features.length);
  features.set(a.features);
  features.set(b.features, a.features.length);
  return { features, labels: [...Array.from(a.labels), ...Array.from(b.labels)] };
}

/**
 * Fits the path of strengths on `train` (each warm-started from the stronger ones before it),
 * picks the lowest validation log-loss (an equal loss keeps the stronger), and refits at that
 * strength on train + validation: the validation photos have done their job once the strength is
 * chosen, and with a few photos per class they are a large share of what there is to learn from.
 * `validation` must not be empty, and never the test photos.
 */
export async function trainSoftmaxHead(train: LabelledFeatures, validation: LabelledFeatures, options: SoftmaxHeadOptions): Promise<SoftmaxHeadResult> {
  const { classCount, classWeights, signal, multiply } = options;
  if (!validation.labels.length) throw new Error('Choosing the regularisation strength needs validation photos.');
  if (validation.labels.length < FEW_VALIDATION_PER_CLASS * classCount) {
    const chosenByFolds = await chooseByFolds(joined(train, validation), options);
    if (chosenByFolds) return chosenByFolds;
  }
  const rows = new PreparedRows(train, classCount, classWeights);
  const strengths = strengthGrid(rows);
  const history: StrengthPoint[] = [];
  let chosenModel: SoftmaxModel | undefined;
  let previous: SoftmaxModel | undefined;
  let beforePrevious: SoftmaxModel | undefined;
  let iterations = 0;
  for (const [index, l2] of strengths.entries()) {
    const solution = await solvePrepared(rows, {
      l2,
      initial: previous && beforePrevious ? extrapolated(beforePrevious, previous) : previous,
      gradientTolerance: PATH_GRADIENT_TOLERANCE,
      signal,
      multiply,
      onIteration: (progress) => options.onIteration?.({ ...progress, stage: 'choosing', strengthIndex: index, strengthCount: strengths.length, l2 }),
    });
    iterations += solution.iterations;
    beforePrevious = previous;
    previous = solution.model;
    const fitted = measureSoftmax(solution.model, train, classWeights);
    const validated = measureSoftmax(solution.model, validation, classWeights);
    const point: StrengthPoint = { epoch: index + 1, loss: fitted.loss, accuracy: fitted.accuracy, valLoss: validated.loss, valAccuracy: validated.accuracy, l2, iterations: solution.iterations };
    history.push(point);
    options.onStrength?.(point);
    const best = history.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    if (best === point) chosenModel = solution.model;
    else if (index - history.indexOf(best) >= PATIENCE) break;
  }
  const chosen = history.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const refit = await solvePrepared(new PreparedRows(joined(train, validation), classCount, classWeights), {
    l2: chosen.l2,
    initial: chosenModel,
    signal,
    multiply,
    onIteration: (progress) => options.onIteration?.({ ...progress, stage: 'refitting', strengthIndex: chosen.epoch - 1, strengthCount: strengths.length, l2: chosen.l2 }),
  });
  return { weights: headWeights(refit.model), history, chosen, gradientNorm: refit.gradientNorm, iterations: iterations + refit.iterations };
}

/**
 * Below this many validation photos per class, a handful of photos cannot rank the strengths
 * (one photo more or less right swings the loss): the strength is chosen by cross-validation over
 * the train and validation photos together instead, and the model refitted on all of them.
 */
const FEW_VALIDATION_PER_CLASS = 10;
const FOLDS = 5;

/** Which fold each row is in: each class's rows dealt round the folds in turn (stratified, deterministic). */
function foldOf(labels: ArrayLike<number>, folds: number): Int32Array {
  const seen = new Map<number, number>();
  return Int32Array.from(labels, (label) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    return n % folds;
  });
}

function rowsWhere(data: LabelledFeatures, keep: (row: number) => boolean): LabelledFeatures {
  const width = data.features.length / data.labels.length;
  const kept = Array.from({ length: data.labels.length }, (_, i) => i).filter(keep);
  const features = new Float32Array(kept.length * width);
  kept.forEach((row, i) => features.set(data.features.subarray(row * width, (row + 1) * width), i * width));
  return { features, labels: kept.map((row) => data.labels[row]) };
}

/**
 * Cross-validation: the whole path of strengths fitted on each fold's complement and measured on
 * the fold; the strength with the lowest mean validation loss is refitted on everything. Null when
 * a class has too few photos to be in two folds (the caller then uses its validation photos).
 */
async function chooseByFolds(all: LabelledFeatures, options: SoftmaxHeadOptions): Promise<SoftmaxHeadResult | null> {
  const { classCount, classWeights, signal, multiply } = options;
  const perClass = Array.from({ length: classCount }, (_, c) => Array.from(all.labels).filter((l) => l === c).length).filter((n) => n > 0);
  const folds = Math.min(FOLDS, ...perClass);
  if (folds < 2) return null;
  const fold = foldOf(all.labels, folds);
  const allRows = new PreparedRows(all, classCount, classWeights);
  const count = RELATIVE_STRENGTHS.length;
  const sums = Array.from({ length: count }, () => ({ loss: 0, accuracy: 0, valLoss: 0, valAccuracy: 0 }));
  let iterations = 0;
  for (let f = 0; f < folds; f++) {
    const fitting = rowsWhere(all, (row) => fold[row] !== f);
    const held = rowsWhere(all, (row) => fold[row] === f);
    const rows = new PreparedRows(fitting, classCount, classWeights);
    let previous: SoftmaxModel | undefined;
    let beforePrevious: SoftmaxModel | undefined;
    for (const [index, l2] of strengthGrid(rows).entries()) {
      const solution = await solvePrepared(rows, {
        l2,
        initial: previous && beforePrevious ? extrapolated(beforePrevious, previous) : previous,
        gradientTolerance: PATH_GRADIENT_TOLERANCE,
        signal,
        multiply,
        onIteration: (progress) => options.onIteration?.({ ...progress, stage: 'choosing', strengthIndex: index, strengthCount: count, l2 }),
      });
      iterations += solution.iterations;
      [beforePrevious, previous] = [previous, solution.model];
      const fitted = measureSoftmax(solution.model, fitting, classWeights);
      const validated = measureSoftmax(solution.model, held, classWeights);
      // Each fold counts by its number of photos.
      const share = held.labels.length / all.labels.length;
      sums[index].loss += fitted.loss / folds;
      sums[index].accuracy += fitted.accuracy / folds;
      sums[index].valLoss += validated.loss * share;
      sums[index].valAccuracy += validated.accuracy * share;
    }
  }
  const grid = strengthGrid(allRows);
  const history: StrengthPoint[] = sums.map((m, index) => ({ epoch: index + 1, ...m, l2: grid[index], iterations: 0 }));
  history.forEach((point) => options.onStrength?.(point));
  const chosen = history.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const refit = await solvePrepared(allRows, {
    l2: chosen.l2,
    signal,
    multiply,
    onIteration: (progress) => options.onIteration?.({ ...progress, stage: 'refitting', strengthIndex: chosen.epoch - 1, strengthCount: count, l2: chosen.l2 }),
  });
  return { weights: headWeights(refit.model), history, chosen, gradientNorm: refit.gradientNorm, iterations: iterations + refit.iterations };
}

/** The model in a head saved without a hidden layer (the inverse of `headWeights`). */
export function softmaxModelOf(saved: SavedWeights<HeadConfig>): SoftmaxModel {
  const { inputSize, classCount, hidden } = saved.config;
  if (hidden !== 0) throw new Error('A head with a hidden layer is not a softmax-regression model.');
  const [kernel, bias] = saved.tensors;
  const weights = new Float64Array(classCount * inputSize);
  for (let j = 0; j < inputSize; j++) for (let c = 0; c < classCount; c++) weights[c * inputSize + j] = kernel.values[j * classCount + c];
  return { inputSize, classCount, weights, bias: Float64Array.from(bias.values) };
}

/** A softmax-regression model as `Head` saves one: kernel `[inputSize, classCount]`, bias `[classCount]`. */
export function headWeights(model: SoftmaxModel): SavedWeights<HeadConfig> {
  const { inputSize, classCount, weights, bias } = model;
  const kernel = new Array<number>(inputSize * classCount);
  for (let j = 0; j < inputSize; j++) for (let c = 0; c < classCount; c++) kernel[j * classCount + c] = weights[c * inputSize + j];
  return {
    // No randomness went into it: the seed is only there because Head's config has one.
    config: { inputSize, classCount, hidden: 0, dropout: 0, seed: 0 },
    tensors: [
      { shape: [inputSize, classCount], values: kernel },
      { shape: [classCount], values: Array.from(bias) },
    ],
  };
}
