import { describe, expect, it } from 'vitest';
import { compareRuns } from './runComparison';

const run = (id: number, kind: 'transfer' | 'scratch', seconds: number, accuracy: number, featuresComputed = 100) => ({
  id,
  kind,
  featuresComputed,
  photos: 100,
  extractSeconds: seconds / 2,
  trainSeconds: seconds / 2,
  evaluation: { accuracy, count: 100 },
});

describe('compareRuns', () => {
  it('compares the latest run of each kind', () => {
    const comparison = compareRuns([run(3, 'transfer', 10, 0.98), run(2, 'scratch', 170, 0.7), run(1, 'transfer', 99, 0.5)]);
    expect(comparison).toMatchObject({ transferRunId: 3, scratchRunId: 2, timeRatio: 17 });
    expect(comparison!.accuracyRatio).toBeCloseTo(1.4);
    expect(comparison!.scratchError).toBeCloseTo(0.3);
  });

  it('compares against a transfer run that computed its features, not a retrain from the cache', () => {
    const comparison = compareRuns([run(4, 'scratch', 170, 0.7), run(3, 'transfer', 1, 0.98, 0), run(2, 'transfer', 10, 0.97)]);
    expect(comparison).toMatchObject({ transferRunId: 2, timeRatio: 17, transferUsedCache: false });
    expect(compareRuns([run(2, 'scratch', 170, 0.7), run(1, 'transfer', 1, 0.98, 0)])).toMatchObject({ transferRunId: 1, transferUsedCache: true });
  });

  it('is null until there is a run of each kind', () => {
    expect(compareRuns([run(1, 'transfer', 10, 0.9)])).toBeNull();
  });
});
