import { describe, expect, it } from 'vitest';
import { autoSplit, labelFromFolders, repairClassSplits, splitOfFolderName } from './splits';

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

  it('knows the common spellings of split folders, in any case, also as the imported folder itself', () => {
    for (const name of ['train', 'Training', 'training_set', 'TRAIN_SET']) expect(splitOfFolderName(name)).toBe('train');
    for (const name of ['val', 'Valid', 'validation', 'dev']) expect(splitOfFolderName(name)).toBe('validation');
    for (const name of ['test', 'Testing', 'test_set', 'test set', 'eval']) expect(splitOfFolderName(name)).toBe('test');
    expect(splitOfFolderName('cats')).toBeNull();
    expect(labelFromFolders('training_set/dogs/d.jpg')).toEqual({ label: 'dogs', split: 'train' });
    // Importing …/val as a folder of its own: its name gives the split, the class folders the labels.
    expect(labelFromFolders('cats/c.jpg', 'val')).toEqual({ label: 'cats', split: 'validation' });
    expect(labelFromFolders('cats/c.jpg', 'my_photos')).toEqual({ label: 'cats', split: null });
  });

  it('completes a class without moving what is not movable, deterministically', () => {
    const member = (id: number, split: 'train' | 'validation' | 'test', movable = true) => ({ id, hash: fakeHash(id), split, movable });
    const all = [member(1, 'train'), member(2, 'train'), member(3, 'train'), member(4, 'train')];
    const moves = repairClassSplits(all, 1);
    expect(moves.map(([, s]) => s).sort()).toEqual(['test', 'validation']);
    expect(repairClassSplits(all, 1)).toEqual(moves);
    expect(repairClassSplits([member(1, 'train', false), member(2, 'train', false), member(3, 'train', false)], 1)).toEqual([]);
    expect(repairClassSplits([member(1, 'train'), member(2, 'test'), member(3, 'validation')], 1)).toEqual([]);
  });
});
