import { describe, expect, it } from 'vitest';
import { amount, count, listNames, noun, ratio, singularOf } from './words';

describe('words', () => {
  it('says 1 photo and 2 photos, never 1 photos', () => {
    expect(count(1, 'photo')).toBe('1 photo');
    expect(count(0, 'photo')).toBe('0 photos');
    expect(count(2, 'class')).toBe('2 classes');
    expect(noun(1, 'epoch')).toBe('epoch');
    expect(amount(1, 'epochs')).toBe('1 epoch');
    expect(amount(15, 'epochs')).toBe('15 epochs');
  });

  it('writes every ratio one way: one decimal below 10, none above, and ×', () => {
    const n = (value: number, digits: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value);
    expect(ratio(1.9)).toBe(`${n(1.9, 1)}×`);
    expect(ratio(1.8958)).toBe(`${n(1.9, 1)}×`);
    expect(ratio(7.2)).toBe(`${n(7.2, 1)}×`);
    expect(ratio(2)).toBe('2×');
    expect(ratio(17.3)).toBe('17×');
    expect(ratio(1234.5)).toBe(`${n(1235, 0)}×`);
  });

  it('formats every count the same way, with digit grouping', () => {
    expect(count(1216, 'photo')).toBe(`${(1216).toLocaleString()} photos`);
    expect(count(1272, 'photo')).toBe(`${(1272).toLocaleString()} photos`);
  });

  it('finds the singular of the units jobs count in', () => {
    expect(singularOf('photos')).toBe('photo');
    expect(singularOf('files')).toBe('file');
    expect(singularOf('classes')).toBe('class');
    expect(singularOf('bytes')).toBe('byte');
  });

  it('lists names, then says how many others', () => {
    expect(listNames(['ants'])).toBe('“ants”');
    expect(listNames(['ants', 'bees'])).toBe('“ants” and “bees”');
    expect(listNames(['a', 'b', 'c', 'd', 'e'])).toBe('“a”, “b”, “c” and 2 others');
  });
});
