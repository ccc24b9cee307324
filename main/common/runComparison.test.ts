import { describe, expect, it } from 'vitest';
import { compareRuns } from './runComparison';

const run = (id: number, kind: 'transfer' | 'scratch', seconds: number, accuracy: number) => ({
  id,
  kind,
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

  it('is null until there is a run of each kind', () => {
    expect(compareRuns([run(1, 'transfer', 10, 0.9)])).toBeNull();
  });
});
