import { describe, expect, it } from 'vitest';
import { evaluate } from './metrics';

describe('evaluate', () => {
  it('computes accuracy, per-class precision, recall, F1 and the confusion matrix', () => {
    const truth = [0, 0, 0, 1, 1];
    const probabilities = [
      [0.9, 0.1],
      [0.8, 0.2],
      [0.3, 0.7],
      [0.2, 0.8],
      [0.4, 0.6],
    ];
    const result = evaluate(truth, probabilities, 2);
    expect(result.accuracy).toBeCloseTo(0.8);
    expect(result.confusion).toEqual([
      [2, 1],
      [0, 2],
    ]);
    expect(result.perClass[0]).toMatchObject({ precision: 1, support: 3 });
    expect(result.perClass[0].recall).toBeCloseTo(2 / 3);
    expect(result.perClass[1].precision).toBeCloseTo(2 / 3);
    expect(result.perClass[1].f1).toBeCloseTo(0.8);
    expect(result.top5Accuracy).toBeNull();
  });

  it('gives top-5 accuracy when there are more than 5 classes', () => {
    const p = [0.3, 0.25, 0.2, 0.1, 0.08, 0.07];
    expect(evaluate([5, 4], [p, p], 6).top5Accuracy).toBe(0.5);
  });
});
