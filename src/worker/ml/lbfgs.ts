/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, algorithms 7.4 and 7.5) with a
 * diagonal preconditioner as the initial inverse Hessian, and a line search that satisfies the
 * strong Wolfe conditions (algorithms 3.5 and 3.6). The objective is asked for its restriction to
 * a line rather than for values at arbitrary points: for a linear model that restriction costs one
 * matrix product per direction, after which every trial step of the line search is nearly free.
 */

/** The objective along `x + step · direction`, from the point it was created at. */
export interface LineRestriction {
  /** The value at `step` and its derivative with respect to `step`. */
  at(step: number): { value: number; slope: number };
  /**
   * Makes `x + step · direction` the objective's current point (the caller has already moved its
   * `x` there in place) and writes the gradient there; returns the value.
   */
  settle(step: number, gradient: Float64Array): number;
}

export interface SmoothObjective {
  /** The number of variables. */
  readonly size: number;
  /** Approximate inverse curvature of each variable (the diagonal initial inverse Hessian). */
  readonly preconditioner: Float64Array;
  /** Makes `x` the current point (kept by reference: the minimiser moves it in place); writes the gradient, returns the value. */
  start(x: Float64Array, gradient: Float64Array): number;
  /** The objective along a direction from its current point. */
  along(direction: Float64Array): LineRestriction;
}

export interface LbfgsOptions {
  /** Stop when every component of the gradient is at most this in magnitude. */
  gradientTolerance: number;
  /** Stop when an iteration lowers the value by at most this fraction of it. */
  relativeDecreaseTolerance: number;
  /** A safety net against a non-convergent run, not the usual way to stop. */
  maxIterations: number;
  /** Called after every iteration; may throw to cancel (the point stays as it was after that iteration). */
  onIteration?(state: { iteration: number; value: number; gradientNorm: number }): void | Promise<void>;
}

export type StopReason = 'gradient' | 'relative decrease' | 'no further decrease' | 'iterations';

export interface LbfgsResult {
  value: number;
  /** The largest gradient component, in magnitude, at the returned point. */
  gradientNorm: number;
  iterations: number;
  stopReason: StopReason;
}

const MEMORY = 10;
const SUFFICIENT_DECREASE = 1e-4;
const CURVATURE = 0.9;
const LINE_SEARCH_TRIALS = 40;

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Minimises `objective` from `x`, which it moves to the minimiser in place. */
export async function minimizeLbfgs(objective: SmoothObjective, x: Float64Array, options: LbfgsOptions): Promise<LbfgsResult> {
  const size = objective.size;
  const gradient = new Float64Array(size);
  const nextGradient = new Float64Array(size);
  const direction = new Float64Array(size);
  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const curvatures: number[] = [];
  const alphas = new Float64Array(MEMORY);
  const diagonal = objective.preconditioner;
  let value = objective.start(x, gradient);
  let gradientNorm = maxAbs(gradient);
  let iteration = 0;
  let stopReason: StopReason = 'iterations';

  while (iteration < options.maxIterations) {
    if (gradientNorm <= options.gradientTolerance) {
      stopReason = 'gradient';
      break;
    }
    searchDirection(gradient, diagonal, steps, gradientChanges, curvatures, alphas, direction);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Rounding can spoil the two-loop direction far into a run: fall back to the preconditioned gradient.
      clearMemory(steps, gradientChanges, curvatures);
      searchDirection(gradient, diagonal, steps, gradientChanges, curvatures, alphas, direction);
      slope = dot(gradient, direction);
    }
    const line = objective.along(direction);
    const step = strongWolfeStep(line, value, slope);
    if (step === null) {
      if (steps.length === 0) {
        // Even the preconditioned gradient finds no lower value: the point is as good as rounding allows.
        stopReason = 'no further decrease';
        break;
      }
      clearMemory(steps, gradientChanges, curvatures);
      continue;
    }
    for (let i = 0; i < size; i++) x[i] += step * direction[i];
    const nextValue = line.settle(step, nextGradient);
    const s = steps.length === MEMORY ? steps.shift()! : new Float64Array(size);
    const y = gradientChanges.length === MEMORY ? gradientChanges.shift()! : new Float64Array(size);
    if (curvatures.length === MEMORY) curvatures.shift();
    for (let i = 0; i < size; i++) {
      s[i] = step * direction[i];
      y[i] = nextGradient[i] - gradient[i];
    }
    // The strong Wolfe conditions make s·y positive; the guard keeps rounding from breaking BFGS.
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      steps.push(s);
      gradientChanges.push(y);
      curvatures.push(sy);
    }
    const decrease = value - nextValue;
    value = nextValue;
    gradient.set(nextGradient);
    gradientNorm = maxAbs(gradient);
    iteration++;
    await options.onIteration?.({ iteration, value, gradientNorm });
    if (gradientNorm > options.gradientTolerance && decrease <= options.relativeDecreaseTolerance * Math.max(Math.abs(value), 1)) {
      stopReason = 'relative decrease';
      break;
    }
  }
  return { value, gradientNorm, iterations: iteration, stopReason };
}

function clearMemory(steps: Float64Array[], gradientChanges: Float64Array[], curvatures: number[]): void {
  steps.length = 0;
  gradientChanges.length = 0;
  curvatures.length = 0;
}

/**
 * The two-loop recursion: `direction = -H·gradient`, with the initial inverse Hessian the
 * preconditioner scaled so that it matches the curvature seen along the latest step.
 */
function searchDirection(gradient: Float64Array, diagonal: Float64Array, steps: Float64Array[], changes: Float64Array[], curvatures: number[], alphas: Float64Array, direction: Float64Array): void {
  const size = gradient.length;
  for (let i = 0; i < size; i++) direction[i] = -gradient[i];
  for (let m = steps.length - 1; m >= 0; m--) {
    alphas[m] = dot(steps[m], direction) / curvatures[m];
    const y = changes[m];
    for (let i = 0; i < size; i++) direction[i] -= alphas[m] * y[i];
  }
  let scale = 1;
  if (steps.length) {
    const y = changes[steps.length - 1];
    let yDy = 0;
    for (let i = 0; i < size; i++) yDy += y[i] * diagonal[i] * y[i];
    scale = curvatures[steps.length - 1] / yDy;
  }
  for (let i = 0; i < size; i++) direction[i] *= scale * diagonal[i];
  for (let m = 0; m < steps.length; m++) {
    const beta = dot(changes[m], direction) / curvatures[m];
    const s = steps[m];
    for (let i = 0; i < size; i++) direction[i] += (alphas[m] - beta) * s[i];
  }
}

/**
 * A step satisfying the strong Wolfe conditions: bracketing by doubling from the unit step, then
 * zooming in with safeguarded cubic interpolation. Null when none is found in a bounded number of
 * trials (in practice only at a point already optimal to rounding).
 */
function strongWolfeStep(line: LineRestriction, value0: number, slope0: number): number | null {
  let previous = { step: 0, value: value0, slope: slope0 };
  let step = 1;
  for (let trial = 0; trial < LINE_SEARCH_TRIALS; trial++) {
    const { value, slope } = line.at(step);
    const current = { step, value, slope };
    if (value > value0 + SUFFICIENT_DECREASE * step * slope0 || (trial > 0 && value >= previous.value)) return zoom(line, value0, slope0, previous, current, LINE_SEARCH_TRIALS - trial);
    if (Math.abs(slope) <= -CURVATURE * slope0) return step;
    if (slope >= 0) return zoom(line, value0, slope0, current, previous, LINE_SEARCH_TRIALS - trial);
    previous = current;
    step *= 2;
  }
  return null;
}

interface Probe {
  step: number;
  value: number;
  slope: number;
}

/** Algorithm 3.6: `low` satisfies sufficient decrease with the lowest value so far; the minimum lies between `low` and `high`. */
function zoom(line: LineRestriction, value0: number, slope0: number, low: Probe, high: Probe, trials: number): number | null {
  for (let trial = 0; trial < trials; trial++) {
    const width = Math.abs(high.step - low.step);
    if (width <= 1e-14 * Math.max(1, Math.abs(low.step))) break;
    const step = safeguardedCubicMinimum(low, high);
    const { value, slope } = line.at(step);
    if (value > value0 + SUFFICIENT_DECREASE * step * slope0 || value >= low.value) {
      high = { step, value, slope };
    } else {
      if (Math.abs(slope) <= -CURVATURE * slope0) return step;
      if (slope * (high.step - low.step) >= 0) high = low;
      low = { step, value, slope };
    }
  }
  // The interval has collapsed: the lowest point found still lowers the objective enough.
  return low.step > 0 ? low.step : null;
}

/** The minimiser of the cubic through both probes' values and slopes, kept inside the middle 80 % of the interval. */
function safeguardedCubicMinimum(a: Probe, b: Probe): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
  const discriminant = d1 * d1 - a.slope * b.slope;
  const lowEnd = Math.min(a.step, b.step);
  const highEnd = Math.max(a.step, b.step);
  const margin = 0.1 * (highEnd - lowEnd);
  if (discriminant >= 0) {
    const d2 = Math.sign(b.step - a.step) * Math.sqrt(discriminant);
    const step = b.step - ((b.step - a.step) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
    if (Number.isFinite(step)) return Math.min(Math.max(step, lowEnd + margin), highEnd - margin);
  }
  return (a.step + b.step) / 2;
}
