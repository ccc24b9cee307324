import { describe, expect, it } from 'vitest';
import { formatAmount, formatDuration, progressRate, secondsLeft } from './progress';

describe('progress arithmetic', () => {
  it('gives no rate or time left until there is something to go on', () => {
    expect(progressRate(0, 10)).toBeNull();
    expect(progressRate(10, 0.1)).toBeNull();
    expect(secondsLeft(5, null, 2)).toBeNull();
  });

  it('estimates the time left from the average rate', () => {
    const rate = progressRate(50, 10)!;
    expect(rate).toBe(5);
    expect(secondsLeft(50, 200, rate)).toBe(30);
  });

  it('formats durations and amounts for people', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(7300)).toBe('2h 01m');
    expect(formatAmount(1_500_000, 'bytes')).toBe('1.5 MB');
    expect(formatAmount(1234, 'photos')).toBe('1,234 photos');
  });
});
