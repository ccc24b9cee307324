import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { shardOf } from '../../shared/sharding';
import { readPhotoList } from './photoList';

let temp: ReturnType<typeof makeTempDir>;
const signal = new AbortController().signal;
const everything = () => true;

beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

describe('a list of photos', () => {
  it('reads relative paths from the list’s folder, keys them as written, and takes each photo once', async () => {
    const list = path.join(temp.dir, 'share', 'photos.txt');
    fs.mkdirSync(path.dirname(list));
    const bytes = Buffer.from('2019/a.jpg\r\n./2019//b.jpg\n\n/mnt/other/c.jpg\n2019/x/../a.jpg\n   \n2020/d.jpg');
    fs.writeFileSync(list, bytes);
    const read = await readPhotoList(list, signal, everything);
    expect(read.photos).toEqual([
      { path: path.join(temp.dir, 'share', '2019', 'a.jpg'), key: '2019/a.jpg' },
      { path: path.join(temp.dir, 'share', '2019', 'b.jpg'), key: '2019/b.jpg' },
      { path: '/mnt/other/c.jpg', key: '/mnt/other/c.jpg' },
      { path: path.join(temp.dir, 'share', '2020', 'd.jpg'), key: '2020/d.jpg' },
    ]);
    expect(read).toMatchObject({ total: 5, repeated: 1, badLines: 0, problems: [], sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('keeps only the shard’s lines, and counts the whole list', async () => {
    const list = path.join(temp.dir, 'photos.txt');
    const lines = Array.from({ length: 1000 }, (_, i) => `p/${i}.jpg`);
    fs.writeFileSync(list, lines.join('\n'));
    const shard = await readPhotoList(list, signal, (key) => shardOf(key, 4) === 1);
    expect(shard.total).toBe(1000);
    expect(shard.photos.map((p) => p.key)).toEqual(lines.filter((l) => shardOf(l, 4) === 1));
  });

  it('reports lines that cannot be paths by number, and reads the rest', async () => {
    const list = path.join(temp.dir, 'photos.txt');
    const bad = Buffer.concat([Buffer.from('ok.jpg\nnul\0byte.jpg\n'), Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67, 0x0a]), Buffer.from(`${'x'.repeat(5000)}.jpg\nlast.jpg\n`)]);
    fs.writeFileSync(list, bad);
    const read = await readPhotoList(list, signal, everything);
    expect(read.photos.map((p) => p.key)).toEqual(['ok.jpg', 'last.jpg']);
    expect(read.badLines).toBe(3);
    expect(read.problems).toEqual([
      { path: `${list}, line 2`, reason: 'it holds a NUL byte: not a path to a photo' },
      { path: `${list}, line 3`, reason: 'not valid UTF-8 text: not a path to a photo' },
      { path: `${list}, line 4`, reason: 'longer than 4096 bytes: not a path to a photo' },
    ]);
  });

  it('refuses a list that is not a file, saying so', async () => {
    await expect(readPhotoList(temp.dir, signal, everything)).rejects.toThrow(/is not a file: give a text file/);
    await expect(readPhotoList(path.join(temp.dir, 'none.txt'), signal, everything)).rejects.toThrow(/none\.txt cannot be read: the file disappeared/);
  });
});
