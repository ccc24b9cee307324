import { describe, expect, it } from 'vitest';
import { trainingReadiness } from '../../../shared/readiness';
import { noRunsWords } from './trainPlan';

const counts = (train: number) => [
  { classId: 1, name: 'cats', train, validation: 10, test: 0 },
  { classId: 2, name: 'dogs', train: 40, validation: 10, test: 0 },
];

describe('noRunsWords', () => {
  it('says Train will make the first run when the photos are ready, never to label more', () => {
    const words = noRunsWords(trainingReadiness(counts(40)));
    expect(words).toMatch(/click Train to make the first one/);
    expect(words).not.toMatch(/Label photos/);
  });

  it('points at what blocks training while something does', () => {
    expect(noRunsWords(trainingReadiness(counts(0)))).toBe('No runs yet: training can start once the problems under “Training cannot start yet” above are solved.');
    expect(noRunsWords(trainingReadiness([]))).toMatch(/cannot start yet/);
  });

  it('says only that there is none while the photos are being counted', () => {
    expect(noRunsWords(null)).toBe('No runs yet.');
  });
});
