import { describe, expect, it } from 'vitest';
import { multiplyRows } from './rowProducts';

/** The definition: each entry one sum, in order over j, in doubles. */
function naive(data: Float32Array, dataRows: number, other: Float64Array, otherRows: number, inner: number): Float64Array {
  const out = new Float64Array(dataRows * otherRows);
  for (let a = 0; a < dataRows; a++) {
    for (let b = 0; b < otherRows; b++) {
      let sum = 0;
      for (let j = 0; j < inner; j++) sum += data[a * inner + j] * other[b * inner + j];
      out[a * otherRows + b] = sum;
    }
  }
  return out;
}

describe('row products', () => {
  it('are the naive triple loop bit for bit, whatever the blocks (1 to 7 rows of the other matrix, odd and even rows)', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (const dataRows of [1, 2, 5, 8]) {
      for (let otherRows = 1; otherRows <= 7; otherRows++) {
        const inner = 37;
        const data = Float32Array.from({ length: dataRows * inner }, random);
        const other = Float64Array.from({ length: otherRows * inner }, () => random() * 1e3);
        const out = new Float64Array(dataRows * otherRows);
        multiplyRows(data, dataRows, other, otherRows, inner, out);
        const expected = naive(data, dataRows, other, otherRows, inner);
        out.forEach((value, i) => expect(Object.is(value, expected[i])).toBe(true));
      }
    }
  });
});
