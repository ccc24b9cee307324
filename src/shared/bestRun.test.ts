import { describe, expect, it } from 'vitest';
import { bestRun } from './bestRun';

const run = (id: number, accuracy: number) => ({ id, evaluation: { accuracy } });

describe('bestRun', () => {
  it('is the run with the highest share right, not the latest', () => {
    expect(bestRun([run(8, 0.9), run(7, 0.95), run(6, 0.5)])?.id).toBe(7);
  });

  it('breaks a tie in favour of the latest run, in whatever order the runs come', () => {
    expect(bestRun([run(3, 0.95), run(5, 0.95), run(4, 0.9)])?.id).toBe(5);
    expect(bestRun([run(5, 0.95), run(3, 0.95)])?.id).toBe(5);
  });

  it('is undefined without runs', () => {
    expect(bestRun([])).toBeUndefined();
  });
});
