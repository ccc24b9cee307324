import { describe, expect, it } from 'vitest';
import { actionScope } from './actionScope';

const pct = (share: number) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 }).format(share);

describe('actionScope', () => {
  it('names the class whose photos are shown, not "all photos"', () => {
    expect(actionScope('cats', 0, 10)).toBe('the 10 photos filed as cats');
    expect(actionScope('cats', 0.5, 1)).toBe(`the 1 photo filed as cats, at least ${pct(0.5)} sure`);
  });

  it('says all only when nothing is filtered', () => {
    expect(actionScope(null, 0, 20)).toBe('all 20 photos');
    expect(actionScope(null, 0.9, 12)).toBe(`the 12 photos, at least ${pct(0.9)} sure`);
  });

  it('names unknown photos and unreadable files as such', () => {
    expect(actionScope('unknown', 0, 1)).toBe('the 1 unknown photo');
    expect(actionScope('error', 0, 2)).toBe('the 2 files that could not be read');
  });
});
