import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { ShardRow } from '../../shared/shardOutput';
import { checkResumable, writeManifest } from './shardFiles';
import { openStreamSink } from './streamSink';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

const LABELS = ['cat', 'dog'];
const outcome = (name: string) => ({ path: `/photos/${name}`, size: 2048, mtimeMs: 1_700_000_000_123, hash: 'c'.repeat(64), top: [[1, 0.625], [0, 0.375]] as [number, number][], error: null });
const key = (photo: string) => photo.replace('/photos/', '');
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('JSON Lines results', () => {
  it('writes what a merge needs, and a rerun drops a line cut short and skips what is done', async () => {
    const file = path.join(temp.dir, 'shard.jsonl');
    const first = await openStreamSink(file, 'jsonl', LABELS, 0.7, key);
    first.write([outcome('a.jpg'), { ...outcome('bad.jpg'), hash: null, top: null, error: 'empty file (0 bytes)' }]);
    first.close();
    const rows = lines(file).map((l) => ShardRow.parse(JSON.parse(l)));
    expect(rows[0]).toEqual({ path: '/photos/a.jpg', key: 'a.jpg', hash: 'c'.repeat(64), size: 2048, mtimeMs: 1_700_000_000_123, class: 'unknown', confidence: 0.625, top: [{ label: 'dog', confidence: 0.625 }, { label: 'cat', confidence: 0.375 }], error: null });
    expect(rows[1]).toMatchObject({ key: 'bad.jpg', hash: null, class: 'error', confidence: null, top: [], error: 'empty file (0 bytes)' });

    fs.appendFileSync(file, '{"path":"/photos/half.jpg","ke');
    const again = await openStreamSink(file, 'jsonl', LABELS, 0, key);
    expect(again.resumed).toBe(2);
    expect(again.hasUnchanged('/photos/a.jpg', 0, 0)).toBe(true);
    expect(again.hasUnchanged('/photos/half.jpg', 0, 0)).toBe(false);
    again.write([outcome('half.jpg')]);
    again.close();
    expect(lines(file).map((l) => (JSON.parse(l) as ShardRow).path)).toEqual(['/photos/a.jpg', '/photos/bad.jpg', '/photos/half.jpg']);

    fs.appendFileSync(file, 'not a row\n');
    await expect(openStreamSink(file, 'jsonl', LABELS, 0, key)).rejects.toThrow(/line 4, is not a row of results/);
  });

  it('resumes only a file of the same model, shard and listing', () => {
    const file = path.join(temp.dir, 'shard.jsonl');
    const model = { identity: `onnx:${'1'.repeat(64)}`, name: 'pets', labels: LABELS, folder: '/m' };
    const shard = { index: 1, count: 4, source: 'flag' as const, detail: '--shard 1/4' };
    const listing = { kind: 'folders' as const, roots: ['/photos'] };
    checkResumable(file, { model, shard, listing });
    fs.writeFileSync(file, `${JSON.stringify({ path: '/photos/a.jpg' })}\n`);
    expect(() => checkResumable(file, { model, shard, listing })).toThrow(/has no shard\.jsonl\.manifest\.json beside it/);
    writeManifest(file, { model, shard, listing, listingTotal: 10, photos: 3, repeated: 0, complete: false, rows: 1 });
    checkResumable(file, { model, shard, listing });
    expect(() => checkResumable(file, { model: { ...model, identity: 'onnx:2', name: 'birds' }, shard, listing })).toThrow(/holds results of the model pets, not of the model birds/);
    expect(() => checkResumable(file, { model, shard: { ...shard, index: 2 }, listing })).toThrow(/shard 1\/4, not of shard 2\/4/);
    expect(() => checkResumable(file, { model, shard, listing: { kind: 'folders', roots: ['/other'] } })).toThrow(/the folders \/photos, not of the folders \/other/);
  });
});
