import { describe, expect, it } from 'vitest';
import { pathParts } from './pathParts';

describe('pathParts', () => {
  it('cuts a path after each separator, keeping every name whole', () => {
    expect(pathParts('/tmp/ux2/data/pets/train/cats/cat.1.jpg')).toEqual(['/', 'tmp/', 'ux2/', 'data/', 'pets/', 'train/', 'cats/', 'cat.1.jpg']);
    expect(pathParts('C:\\Users\\me\\Pictures\\cat.1.jpg')).toEqual(['C:\\', 'Users\\', 'me\\', 'Pictures\\', 'cat.1.jpg']);
    expect(pathParts('/home/me/sorted/')).toEqual(['/', 'home/', 'me/', 'sorted/']);
  });

  it('gives the whole path back when joined, and nothing for nothing', () => {
    const path = '//server/share/a b/c.jpg';
    expect(pathParts(path).join('')).toBe(path);
    expect(pathParts('cat.jpg')).toEqual(['cat.jpg']);
    expect(pathParts('')).toEqual([]);
  });
});
