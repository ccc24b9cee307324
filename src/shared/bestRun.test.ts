import { describe, expect, it } from 'vitest';
import { bestRun } from './bestRun';

const run = (id: number, accuracy: number, classes = ['cats', 'dogs']) => ({ id, classes, evaluation: { accuracy } });

describe('bestRun', () => {
  it('is the run with the highest share right, not the latest', () => {
    expect(bestRun([run(8, 0.9), run(7, 0.95), run(6, 0.5)])?.id).toBe(7);
  });

  it('breaks a tie in favour of the latest run, in whatever order the runs come', () => {
    expect(bestRun([run(3, 0.95), run(5, 0.95), run(4, 0.9)])?.id).toBe(5);
    expect(bestRun([run(5, 0.95), run(3, 0.95)])?.id).toBe(5);
  });

  it('is among the runs that know the newest run’s classes: one trained before a class was added never answers with it', () => {
    expect(bestRun([run(3, 0.99), run(4, 0.9, ['birds', 'cats', 'dogs']), run(2, 0.95)])?.id).toBe(4);
    // The same classes in another output order are the same classes.
    expect(bestRun([run(3, 0.99, ['dogs', 'cats']), run(4, 0.9)])?.id).toBe(3);
  });

  it('is undefined without runs', () => {
    expect(bestRun([])).toBeUndefined();
  });
});
