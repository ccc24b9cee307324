/** Classification metrics from true and predicted class indexes: pure arithmetic. */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  accuracy: number;
  /** Present when there are more than 5 classes. */
  top5Accuracy: number | null;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  count: number;
}

export function evaluate(truth: number[], probabilities: number[][], classCount: number): Evaluation {
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let correct = 0;
  let top5 = 0;
  truth.forEach((t, i) => {
    const p = probabilities[i];
    const predicted = p.indexOf(Math.max(...p));
    confusion[t][predicted]++;
    if (predicted === t) correct++;
    const rank = p.filter((v) => v > p[t]).length;
    if (rank < 5) top5++;
  });
  const perClass = confusion.map((row, c) => {
    const tp = row[c];
    const predictedAsC = confusion.reduce((sum, r) => sum + r[c], 0);
    const support = row.reduce((a, b) => a + b, 0);
    const precision = predictedAsC ? tp / predictedAsC : 0;
    const recall = support ? tp / support : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const count = truth.length;
  return { accuracy: count ? correct / count : 0, top5Accuracy: classCount > 5 && count ? top5 / count : null, perClass, confusion, count };
}
