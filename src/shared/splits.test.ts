import { describe, expect, it } from 'vitest';
import { autoSplit, labelFromFolders } from './splits';

const fakeHash = (i: number) => (BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16) + 'ab'.repeat(24);

describe('splits', () => {
  it('follows the ratios, deterministically, and moves with the seed', () => {
    const ratios = { train: 0.7, validation: 0.15, test: 0.15 };
    const hashes = Array.from({ length: 20_000 }, (_, i) => fakeHash(i + 1));
    const counts = { train: 0, validation: 0, test: 0 };
    for (const h of hashes) counts[autoSplit(h, 1, ratios)]++;
    expect(counts.train / hashes.length).toBeCloseTo(0.7, 1);
    expect(counts.test / hashes.length).toBeCloseTo(0.15, 1);
    expect(hashes.map((h) => autoSplit(h, 1, ratios))).toEqual(hashes.map((h) => autoSplit(h, 1, ratios)));
    expect(hashes.filter((h) => autoSplit(h, 1, ratios) !== autoSplit(h, 2, ratios)).length).toBeGreaterThan(1000);
  });

  it('reads labels and splits from the ImageFolder layout', () => {
    expect(labelFromFolders('train/cats/cat.1.jpg')).toEqual({ label: 'cats', split: 'train' });
    expect(labelFromFolders('validation/dogs/d.jpg')).toEqual({ label: 'dogs', split: 'validation' });
    expect(labelFromFolders('Ada_Lovelace/Ada_Lovelace_0001.jpg')).toEqual({ label: 'Ada_Lovelace', split: null });
    expect(labelFromFolders('loose.jpg')).toEqual({ label: null, split: null });
    expect(labelFromFolders('test/x.png')).toEqual({ label: null, split: 'test' });
  });
});
