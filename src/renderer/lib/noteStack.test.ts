import { describe, expect, it } from 'vitest';
import { SHOWN, waitingCount, withNote } from './noteStack';

interface TestNote {
  id: number;
  fadeSeconds: number | null;
}
const fading = (id: number): TestNote => ({ id, fadeSeconds: 10 });
const failure = (id: number): TestNote => ({ id, fadeSeconds: null });
const pushAll = (notes: TestNote[]) => notes.reduce<TestNote[]>(withNote, []);
const ids = (notes: TestNote[]) => notes.map((n) => n.id);

describe('the notifications’ rule', () => {
  it('shows three, the older waiting behind "+N more"', () => {
    expect(SHOWN).toBe(3);
    expect([0, 1, 3, 4, 6].map(waitingCount)).toEqual([0, 0, 0, 1, 3]);
  });

  it('keeps as many waiting as show: in a burst, the oldest of those that fade anyway go first', () => {
    const kept = pushAll([failure(1), ...Array.from({ length: 10 }, (_, i) => fading(i + 2))]);
    expect(ids(kept)).toEqual([1, 7, 8, 9, 10, 11]);
    expect(waitingCount(kept.length)).toBe(SHOWN);
  });

  it('never drops a failure, however many wait', () => {
    const failures = Array.from({ length: 8 }, (_, i) => failure(i + 1));
    const kept = pushAll([fading(100), ...failures, fading(101)]);
    expect(ids(kept)).toEqual([...ids(failures), 101]);
    expect(waitingCount(kept.length)).toBe(9 - SHOWN);
  });
});
