import { describe, expect, it } from 'vitest';
import { compareRuns } from './runComparison';

const run = (id: number, kind: 'transfer' | 'scratch', seconds: number, accuracy: number, featuresComputed = 100, classes = ['cats', 'dogs']) => ({
  id,
  kind,
  classes,
  featuresComputed,
  photos: 100,
  extractSeconds: seconds / 2,
  trainSeconds: seconds / 2,
  evaluation: { accuracy, count: 100 },
});

describe('compareRuns', () => {
  it('compares the best run of each kind, not the latest', () => {
    const comparison = compareRuns([run(4, 'transfer', 99, 0.9), run(3, 'transfer', 10, 0.98), run(2, 'scratch', 170, 0.7), run(1, 'scratch', 99, 0.5)]);
    expect(comparison).toMatchObject({ transferRunId: 3, scratchRunId: 2, timeRatio: 17 });
    expect(comparison!.accuracyRatio).toBeCloseTo(1.4);
    expect(comparison!.scratchError).toBeCloseTo(0.3);
  });

  it('says when the best transfer run reused cached features, so that its time is flattered', () => {
    expect(compareRuns([run(4, 'scratch', 170, 0.7), run(3, 'transfer', 1, 0.98, 0), run(2, 'transfer', 10, 0.97)])).toMatchObject({ transferRunId: 3, transferUsedCache: true });
    expect(compareRuns([run(2, 'scratch', 170, 0.7), run(1, 'transfer', 10, 0.98)])).toMatchObject({ transferRunId: 1, transferUsedCache: false });
  });

  it('is null until there is a run of each kind', () => {
    expect(compareRuns([run(1, 'transfer', 10, 0.9)])).toBeNull();
  });
  it('compares with learning from scratch on the same classes only', () => {
    const birds = ['birds', 'cats', 'dogs'];
    expect(compareRuns([run(1, 'scratch', 300, 0.6), run(2, 'transfer', 20, 0.9, 100, birds)])).toBeNull();
    expect(compareRuns([run(1, 'scratch', 300, 0.6), run(2, 'scratch', 300, 0.5, 100, birds), run(3, 'transfer', 20, 0.9, 100, birds)])?.scratchRunId).toBe(2);
  });
});
