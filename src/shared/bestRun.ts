/**
 * Which run is best: among the runs that know the classes of the newest run (a run trained before a
 * class was added, or removed, would never answer with it), the highest share right on the photos
 * that measured it, and of equal ones the latest (the highest id). Every place that picks a run for
 * the user — Evaluate, Try it, Classify, the export, suggestions, the runs table's "best so far", the
 * comparison with learning from scratch — asks this, so they never disagree.
 */
interface RankedRun {
  id: number;
  classes: readonly string[];
  evaluation: { accuracy: number };
}

const classSet = (run: { classes: readonly string[] }) => [...run.classes].sort().join('\n');

/** Whether two runs were trained on the same classes (in any output order). */
export function sameClasses(a: { classes: readonly string[] }, b: { classes: readonly string[] }): boolean {
  return classSet(a) === classSet(b);
}

/** The best of `runs`, in any order; undefined when there is none. */
export function bestRun<R extends RankedRun>(runs: readonly R[]): R | undefined {
  const newest = runs.reduce<R | undefined>((latest, run) => (!latest || run.id > latest.id ? run : latest), undefined);
  if (!newest) return undefined;
  const current = classSet(newest);
  let best: R | undefined;
  for (const run of runs) {
    if (classSet(run) !== current) continue;
    if (!best || run.evaluation.accuracy > best.evaluation.accuracy || (run.evaluation.accuracy === best.evaluation.accuracy && run.id > best.id)) best = run;
  }
  return best;
}
