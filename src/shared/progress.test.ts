import { describe, expect, it } from 'vitest';
import { describeTimeLeft, formatAmount, formatDuration, formatRate, ProgressEstimator } from './progress';

/** Feeds an estimator with progress at these (time in s, units done) points; returns its last estimate. */
function feed(estimator: ProgressEstimator, points: [number, number][], total: number | null, unit = 'photos') {
  let last = { rate: null as number | null, etaSeconds: null as number | null };
  for (const [t, done] of points) last = estimator.update(done, total, unit, t * 1000);
  return last;
}

describe('ProgressEstimator', () => {
  it('gives nothing until it has a couple of seconds of work to go on', () => {
    const estimator = new ProgressEstimator();
    expect(feed(estimator, [[0, 0], [5, 16], [5.5, 32], [6, 48]], 2000)).toEqual({ rate: null, etaSeconds: null });
    expect(feed(estimator, [[7.5, 96]], 2000).etaSeconds).not.toBeNull();
  });

  it('leaves the warm-up out: a slow first batch does not make two minutes look like twenty', () => {
    // 10 s to load the model and do the first 16 photos, then 32 photos a second.
    const points: [number, number][] = [[0, 0], [10, 16]];
    for (let t = 10.5; t <= 14; t += 0.5) points.push([t, 16 + (t - 10) * 32]);
    const estimate = feed(new ProgressEstimator(), points, 2000);
    const trueLeft = (2000 - (16 + 4 * 32)) / 32;
    expect(estimate.etaSeconds).toBeGreaterThan(0.8 * trueLeft);
    expect(estimate.etaSeconds).toBeLessThan(1.2 * trueLeft);
    // The old estimate, done / elapsed since the start, said about 3 minutes for under 1.
    expect((2000 - 144) / (144 / 14)).toBeGreaterThan(3 * trueLeft);
  });

  it('follows a change of pace smoothly, without jumping to the newest rate at once', () => {
    const estimator = new ProgressEstimator();
    const points: [number, number][] = [];
    for (let t = 0; t <= 20; t += 0.5) points.push([t, 1 + t * 10]);
    const before = feed(estimator, points, 10_000).rate!;
    expect(before).toBeCloseTo(10, 5);
    const after = feed(estimator, [[20.5, 201 + 10]], 10_000).rate!; // a burst: 20/s for half a second
    expect(after).toBeGreaterThan(10);
    expect(after).toBeLessThan(11);
  });

  it('starts over for a new stage', () => {
    const estimator = new ProgressEstimator();
    feed(estimator, [[0, 1], [1, 50], [3, 100]], 100, 'photos');
    expect(feed(estimator, [[4, 1]], 50, 'epochs')).toEqual({ rate: null, etaSeconds: null });
  });
});

describe('progress words', () => {
  it('formats durations, amounts and rates for people', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatAmount(1_500_000, 'bytes')).toBe('1.5 MB');
    expect(formatAmount(1234, 'photos')).toBe(`${(1234).toLocaleString()} photos`);
    expect(formatAmount(1, 'epochs')).toBe('1 epoch');
    expect(formatRate(1, 'photos')).toBe('1 photo/s');
    expect(formatRate(1.04, 'photos')).toBe('1 photo/s');
    expect(formatRate(12.4, 'photos')).toBe('12 photos/s');
  });

  it('says the time left as people do', () => {
    expect(describeTimeLeft(20)).toBe('less than a minute');
    expect(describeTimeLeft(130)).toBe('about 2 minutes');
    expect(describeTimeLeft(65)).toBe('about 1 minute');
    expect(describeTimeLeft(80 * 60)).toBe('about 1 hour 20 minutes');
  });
});
