import { bestRun, sameClasses } from './bestRun';

/**
 * The seed experiment's sentence: the best transfer-learning run against the best from-scratch run
 * of the same project on the same classes (bestRun.ts), as time and accuracy ratios.
 */
interface ComparableRun {
  id: number;
  kind: 'transfer' | 'scratch';
  classes: readonly string[];
  extractSeconds: number;
  featuresComputed: number;
  photos: number;
  trainSeconds: number;
  evaluation: { accuracy: number; count: number };
}

export interface RunComparison {
  transferRunId: number;
  scratchRunId: number;
  /** Scratch training time over transfer time (feature extraction included): how much faster transfer is. */
  timeRatio: number;
  /** The transfer run reused cached features, so its time leaves out computing them: the ratio flatters it. */
  transferUsedCache: boolean;
  /** Transfer accuracy over scratch accuracy. */
  accuracyRatio: number;
  transferError: number;
  scratchError: number;
}

/**
 * Null until there is a run of each kind on the same classes. A fair time comparison counts computing the features: when
 * the best transfer run reused cached ones, `transferUsedCache` says its time is flattered.
 */
export function compareRuns(runs: readonly ComparableRun[]): RunComparison | null {
  const transfer = bestRun(runs.filter((r) => r.kind === 'transfer'));
  // Learned from scratch on other classes is no comparison: its best on the transfer run's classes.
  const scratch = transfer && bestRun(runs.filter((r) => r.kind === 'scratch' && sameClasses(r, transfer)));
  if (!transfer || !scratch) return null;
  const transferTime = transfer.extractSeconds + transfer.trainSeconds;
  const scratchTime = scratch.extractSeconds + scratch.trainSeconds;
  return {
    transferRunId: transfer.id,
    scratchRunId: scratch.id,
    timeRatio: transferTime > 0 ? scratchTime / transferTime : 0,
    transferUsedCache: transfer.featuresComputed < transfer.photos,
    accuracyRatio: scratch.evaluation.accuracy > 0 ? transfer.evaluation.accuracy / scratch.evaluation.accuracy : 0,
    transferError: 1 - transfer.evaluation.accuracy,
    scratchError: 1 - scratch.evaluation.accuracy,
  };
}
