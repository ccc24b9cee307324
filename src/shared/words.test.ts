import { describe, expect, it } from 'vitest';
import { amount, confidence, count, listNames, noun, percent, ratio, singularOf } from './words';

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

  describe('percentages never say 100 % of less than all, nor 0 % of more than none', () => {
    const pct = (share: number, digits: number) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits }).format(share);

    it('writes a model’s confidence in whole percents where they are true', () => {
      expect(confidence(0.873)).toBe(pct(0.87, 0));
      expect(confidence(0.5)).toBe(pct(0.5, 0));
      expect(confidence(0.994)).toBe(pct(0.99, 0));
      expect(confidence(0.006)).toBe(pct(0.01, 0));
    });

    it('takes a decimal or two where whole percents would round to certainty', () => {
      expect(confidence(0.9996)).toBe(pct(0.9996, 2));
      expect(confidence(0.995)).toBe(pct(0.995, 1));
      expect(confidence(0.0004)).toBe(pct(0.0004, 2));
      expect(confidence(0.004)).toBe(pct(0.004, 1));
    });

    it('says which side it is on past two decimals', () => {
      expect(confidence(0.99999)).toBe(`> ${pct(0.9999, 2)}`);
      expect(confidence(0.000004)).toBe(`< ${pct(0.0001, 2)}`);
    });

    it('says 100 % and 0 % of certainty and of none', () => {
      expect(confidence(1)).toBe(pct(1, 0));
      expect(confidence(0)).toBe(pct(0, 0));
    });

    it('holds for every share: a run with one photo wrong in 3,000 is not 100 % right', () => {
      expect(percent(2999 / 3000)).toBe(pct(2999 / 3000, 2));
      expect(percent(0.875)).toBe(pct(0.875, 1));
      for (let i = 1; i < 100_000; i += i < 100 || i > 99_900 ? 1 : 97) {
        const share = i / 100_000;
        expect([confidence(share), percent(share)]).not.toContain(pct(1, 0));
        expect([confidence(share), percent(share)]).not.toContain(pct(0, 0));
      }
    });
  });
});
