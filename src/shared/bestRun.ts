/**
 * Which run is best: the highest share right on the photos that measured it, and of equal ones
 * the latest (the highest id). Every place that picks a run for the user — Evaluate, Try it,
 * Classify, the export, the runs table's "best so far", the comparison with learning from scratch —
 * asks this, so they never disagree.
 */
interface RankedRun {
  id: number;
  evaluation: { accuracy: number };
}

/** The best of `runs`, in any order; undefined when there is none. */
export function bestRun<R extends RankedRun>(runs: readonly R[]): R | undefined {
  let best: R | undefined;
  for (const run of runs) {
    if (!best || run.evaluation.accuracy > best.evaluation.accuracy || (run.evaluation.accuracy === best.evaluation.accuracy && run.id > best.id)) best = run;
  }
  return best;
}
