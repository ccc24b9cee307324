import { describe, expect, it } from 'vitest';
import { naturalSortKey } from './naturalSort';

const sorted = (names: string[]) => [...names].sort((a, b) => (naturalSortKey(a) < naturalSortKey(b) ? -1 : naturalSortKey(a) > naturalSortKey(b) ? 1 : 0));

describe('naturalSortKey', () => {
  it('puts cat.2 before cat.10 and cat.10 before cat.100', () => {
    expect(sorted(['cat.100.jpg', 'cat.10.jpg', 'cat.2.jpg', 'cat.1.jpg'])).toEqual(['cat.1.jpg', 'cat.2.jpg', 'cat.10.jpg', 'cat.100.jpg']);
  });

  it('ignores case and leading zeros, and keeps text order around numbers', () => {
    expect(sorted(['IMG_010.jpg', 'img_9.jpg', 'dog.1.jpg', 'Cat.3.jpg'])).toEqual(['Cat.3.jpg', 'dog.1.jpg', 'img_9.jpg', 'IMG_010.jpg']);
  });
});
