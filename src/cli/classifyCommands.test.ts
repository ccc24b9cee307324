import { describe, expect, it } from 'vitest';
import type { ClassifiedPhoto } from '../shared/api/classify';
import { listedPhoto } from './classifyCommands';

const photo = (p: Partial<ClassifiedPhoto>): ClassifiedPhoto => ({ id: 1, path: '/photos/a.jpg', name: 'a.jpg', hash: null, label: 'cat', confidence: 0.87, top: [], error: null, ...p });
const pct = (share: number, digits: number) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits }).format(share);

describe('graft results lists photos', () => {
  it('with how sure the model is, never 100 % of a photo it is not certain of', () => {
    expect(listedPhoto(photo({ confidence: 0.87 }))).toBe(`cat          ${pct(0.87, 0).padStart(8)}  /photos/a.jpg`);
    expect(listedPhoto(photo({ confidence: 0.9996 }))).toBe(`cat          ${pct(0.9996, 2).padStart(8)}  /photos/a.jpg`);
    expect(listedPhoto(photo({ label: 'error', confidence: null, error: 'empty file' }))).toBe(`error        ${' '.repeat(8)}  /photos/a.jpg  (empty file)`);
  });
});
