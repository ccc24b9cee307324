import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { projectCacheDir, ThumbnailStore } from './thumbnailStore';

let temp: ReturnType<typeof makeTempDir>;
let projectFile: string;
const hash = (n: number) => n.toString(16).padStart(64, '0');
const jpeg = (n: number) => Buffer.from([0xff, 0xd8, n, 0xff, 0xd9]);

beforeEach(() => {
  temp = makeTempDir();
  projectFile = path.join(temp.dir, 'p.graft');
});
afterEach(() => temp.remove());

describe('the thumbnail cache', () => {
  it('keeps thumbnails by content hash, and what one connection writes the other reads (the worker and the app)', () => {
    const app = ThumbnailStore.open(projectFile);
    const worker = ThumbnailStore.open(projectFile);
    try {
      expect(app.get(hash(1))).toBeNull();
      worker.put([
        { hash: hash(1), jpeg: jpeg(1) },
        { hash: hash(2), jpeg: jpeg(2) },
      ]);
      expect(app.get(hash(1))).toEqual(jpeg(1));
      expect(app.get(hash(2))).toEqual(jpeg(2));
      worker.put([{ hash: hash(2), jpeg: jpeg(9) }]);
      expect(app.get(hash(2))).toEqual(jpeg(9));
      expect(fs.existsSync(path.join(projectCacheDir(projectFile), 'thumbnails.sqlite'))).toBe(true);
    } finally {
      app.close();
      worker.close();
    }
  });

  it('still reads the thumbnail files of projects imported before the cache was a database', () => {
    const legacy = path.join(projectCacheDir(projectFile), 'thumbs', '00', `${hash(3)}.jpg`);
    fs.mkdirSync(path.dirname(legacy), { recursive: true });
    fs.writeFileSync(legacy, jpeg(3));
    const store = ThumbnailStore.open(projectFile);
    try {
      expect(store.get(hash(3))).toEqual(jpeg(3));
    } finally {
      store.close();
    }
  });

  it('refuses what is not a content hash, before any query or path', () => {
    const store = ThumbnailStore.open(projectFile);
    try {
      expect(store.get('../../p.graft')).toBeNull();
      expect(() => store.put([{ hash: '../x', jpeg: jpeg(1) }])).toThrow(/content hash/);
    } finally {
      store.close();
    }
  });

  it('starts afresh when the cache is not a database any more (nothing in it is the only copy)', () => {
    fs.mkdirSync(projectCacheDir(projectFile), { recursive: true });
    fs.writeFileSync(path.join(projectCacheDir(projectFile), 'thumbnails.sqlite'), 'this is not a database, it is long enough to have a header '.repeat(4));
    const store = ThumbnailStore.open(projectFile);
    try {
      store.put([{ hash: hash(4), jpeg: jpeg(4) }]);
      expect(store.get(hash(4))).toEqual(jpeg(4));
    } finally {
      store.close();
    }
  });
});
