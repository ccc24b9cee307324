import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../shared/api/jobs';
import { formatSeconds, progressWords, withNumbersFormatted } from './format';

const progress = (p: Partial<JobProgress>): JobProgress => ({ done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null, ...p });

describe('progress in plain words', () => {
  it('says "estimating…" until the time left is known, then says it as people do', () => {
    expect(progressWords(progress({ done: 16, total: 2000, unit: 'photos', message: 'Computing' })).timeLeft).toBe('estimating time left…');
    const known = progressWords(progress({ done: 400, total: 2000, unit: 'photos', rate: 12.4, etaSeconds: 129 }));
    expect(known).toMatchObject({ howFar: `400 of ${(2000).toLocaleString()} photos`, timeLeft: 'about 2 minutes left · 12 photos/s' });
  });

  it('speaks of passes over the photos, not epochs, and says training stops by itself', () => {
    const words = progressWords(progress({ done: 15, total: 50, unit: 'epochs', message: 'loss 0.123 · validation loss 0.2' }));
    expect(words.doing).toBe('Learning from the photos');
    expect(words.howFar).toBe('pass 15 of at most 50 (it stops by itself once it no longer improves)');
    expect(JSON.stringify(words)).not.toMatch(/epoch/);
  });

  it('formats the numbers in a job’s own message like every other number', () => {
    expect(withNumbersFormatted('1216 new, 3 with problems, loss 0.1234')).toBe(`${(1216).toLocaleString()} new, 3 with problems, loss 0.1234`);
  });

  it('says durations with units', () => {
    expect(formatSeconds(0.34)).toBe('0.3 s');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
  });
});
