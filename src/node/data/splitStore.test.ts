import { describe, expect, it } from 'vitest';
import { newPhotoRow, useTempProject } from '../../../test-support/tempProject';
import type { Split } from '../../shared/splits';

const scratch = useTempProject();
const settings = { ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 1 };

/** A content hash for photo n (distinct, spread over the split positions). */
const hashOf = (n: number) => (BigInt(n + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16) + 'cd'.repeat(24);

function addPhotos(count: number, options: { label?: string; split?: Split; from?: number } = {}): number[] {
  const from = options.from ?? 0;
  scratch.project.stores.imports.record(Array.from({ length: count }, (_, i) => newPhotoRow(hashOf(from + i), `/photos/${from + i}.jpg`, options)));
  return Array.from({ length: count }, (_, i) => scratch.project.stores.library.imageByHash(hashOf(from + i))!.id);
}

const splitOf = (id: number) => scratch.project.stores.library.page({ sort: 'added', offset: 0, limit: 1000 }).items.find((i) => i.id === id)!.split;


describe('split rules', () => {
  it('pins a split, and keeps pins when the automatic split changes', () => {
    const [a, b] = addPhotos(2);
    scratch.project.stores.splits.pin([a], 'test', settings);
    scratch.project.stores.splits.resplit({ ...settings, ratios: { train: 0, validation: 1, test: 0 } });
    expect([splitOf(a), splitOf(b)]).toEqual(['test', 'validation']);
  });

  it('gives every class of three or more photos a photo in each split, and says what a class of two gets', () => {
    // All automatic splits say train (ratios 1/0/0): the repair must still complete each class.
    const trainOnly = { ...settings, ratios: { train: 1, validation: 0, test: 0 } };
    const cats = addPhotos(5, { label: 'cats' });
    const dogs = addPhotos(2, { label: 'dogs', from: 100 });
    scratch.project.stores.splits.resplit(trainOnly);
    const count = (ids: number[]) => Object.fromEntries((['train', 'validation', 'test'] as const).map((s) => [s, ids.filter((id) => splitOf(id) === s).length]));
    expect(count(cats)).toEqual({ train: 3, validation: 1, test: 1 });
    expect(count(dogs)).toEqual({ train: 1, validation: 0, test: 1 });
    // Deterministic: doing it again moves nothing.
    expect(scratch.project.stores.splits.enforce(trainOnly, { groups: false, classes: 'all' }).completedClass).toBe(0);
  });

  it('leaves folder-given splits alone when completing a class', () => {
    const cats = addPhotos(3, { label: 'cats', split: 'train' });
    expect(scratch.project.stores.splits.enforce(settings, { groups: false, classes: 'all' }).completedClass).toBe(0);
    expect(cats.map(splitOf)).toEqual(['train', 'train', 'train']);
  });

  it('keeps near-identical photos in one split — the most held out — but never moves a pinned one', () => {
    const [original, copy, other, pinnedCopy] = addPhotos(4, { split: 'train' });
    scratch.project.stores.splits.pin([original], 'test', settings);
    scratch.project.stores.splits.pin([pinnedCopy], 'train', settings);
    // original, copy and pinnedCopy look alike (2 bits apart); other is far.
    scratch.project.stores.splits.setPerceptualHashes([
      { hash: hashOf(0), phash: 'ffff0000ffff0000' },
      { hash: hashOf(1), phash: 'ffff0000ffff0003' },
      { hash: hashOf(2), phash: '0123456789abcdef' },
      { hash: hashOf(3), phash: 'ffff0000ffff0001' },
    ]);
    const repairs = scratch.project.stores.splits.enforce(settings, { groups: true, classes: 'all' });
    expect(repairs).toMatchObject({ groupsThatCrossed: 1, joinedGroup: 1 });
    expect([splitOf(original), splitOf(copy), splitOf(other), splitOf(pinnedCopy)]).toEqual(['test', 'test', 'train', 'train']);
    expect(scratch.project.stores.splits.nearDuplicateSummary()).toEqual({ groups: 1, photos: 3 });
  });
});
