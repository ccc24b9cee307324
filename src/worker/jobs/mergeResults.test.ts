import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { projectEnvironment } from '../../../test-support/jobEnvironment';
import { useTempProject } from '../../../test-support/tempProject';
import { partitionKey, shardFileName, shardOf } from '../../shared/sharding';
import type { ShardListing } from '../../shared/shardOutput';
import { writeManifest } from '../../node/results/shardFiles';
import { openStreamSink } from '../../node/results/streamSink';
import { importPhotos } from './importPhotos';
import { mergeResults } from './mergeResults';

const LABELS = ['cat', 'dog'];
const MODEL = { identity: `onnx:${'a'.repeat(64)}`, name: 'pets (exported run 1)', labels: LABELS, folder: '/models/pets' };
const SHARDS = 4;

const scratch = useTempProject();
let listing: ShardListing;
let listFile: string;
/** The photos a list names (they need not exist: a merge only reads the shards' outputs), by shard. */
let byShard: { path: string; key: string; hash: string; cat: boolean }[][];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Writes a shard's output with the writer `graft classify` uses, and its manifest. */
async function writeShard(index: number, options: { rows?: number; complete?: boolean; model?: typeof MODEL; file?: string } = {}): Promise<string> {
  const out = path.join(scratch.dir, 'out', options.file ?? shardFileName({ index, count: SHARDS }));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const photos = byShard[index].slice(0, options.rows);
  const keys = new Map(photos.map((p) => [p.path, p.key]));
  const sink = await openStreamSink(out, 'jsonl', LABELS, 0, (file) => keys.get(file)!);
  sink.write(photos.map((p) => ({ path: p.path, size: 1234, mtimeMs: 1_700_000_000_000, hash: p.hash, top: p.cat ? [[0, 0.875], [1, 0.125]] : [[1, 0.75], [0, 0.25]], error: null })));
  const rows = sink.rows;
  sink.close();
  const all = byShard.flat().length;
  writeManifest(out, {
    model: options.model ?? MODEL,
    shard: { index, count: SHARDS, source: 'flag', detail: 'test' },
    listing,
    listingTotal: all,
    photos: byShard[index].length,
    repeated: 0,
    complete: options.complete ?? true,
    rows,
  });
  return out;
}

const env = () => projectEnvironment(scratch.project);

beforeEach(() => {
  const lines = Array.from({ length: 80 }, (_, i) => `camera/${i % 3}/IMG_${String(i).padStart(4, '0')}.jpg`);
  listFile = path.join(scratch.dir, 'archive', 'photos.txt');
  fs.mkdirSync(path.dirname(listFile), { recursive: true });
  fs.writeFileSync(listFile, `${lines.join('\n')}\n`);
  listing = { kind: 'list', file: listFile, sha256: sha(fs.readFileSync(listFile, 'utf8')) };
  byShard = Array.from({ length: SHARDS }, () => []);
  for (const [i, line] of lines.entries()) {
    const key = partitionKey(line);
    byShard[shardOf(key, SHARDS)].push({ path: path.join(scratch.dir, 'archive', line), key, hash: sha(`photo ${i}`), cat: i % 2 === 0 });
  }
});
describe('importing shard outputs', () => {
  it('brings every shard in once, names the photos of a shard that did not finish, and a second import adds nothing', async () => {
    const cut = Math.floor(byShard[3].length / 2);
    for (let i = 0; i < 3; i++) await writeShard(i);
    await writeShard(3, { rows: cut, complete: false });
    const first = await mergeResults({ inputs: [path.join(scratch.dir, 'out')] }, env());
    expect(first.files.map((f) => f.shard)).toEqual([0, 1, 2, 3]);
    expect(first).toMatchObject({ rows: 80 - byShard[3].length + cut, added: 80 - byShard[3].length + cut, updated: 0, unchanged: 0, byHash: 0, duplicates: { count: 0 }, malformed: [] });
    expect(first.missing).toMatchObject({ count: byShard[3].length - cut, exact: true, absentShards: [], unfinishedShards: [3] });
    expect(first.missing.examples.sort()).toEqual(byShard[3].slice(cut).map((p) => p.path).sort());
    expect(first.missing.note).toMatch(/^Shard 3 did not finish\. Run it again/);

    // The stored results are the rows' guesses, with their probabilities.
    const page = scratch.project.stores.classified.page({ classifierId: first.classifierId, threshold: 0, sort: 'path', offset: 0, limit: 100 });
    const photo = byShard[0][0];
    expect(page.items.find((p) => p.path === photo.path)).toMatchObject({ hash: photo.hash, label: photo.cat ? 'cat' : 'dog', confidence: photo.cat ? 0.875 : 0.75 });

    // The shard is run again to the end; importing everything again adds only its rest.
    fs.rmSync(path.join(scratch.dir, 'out', shardFileName({ index: 3, count: SHARDS })));
    await writeShard(3);
    const second = await mergeResults({ inputs: [path.join(scratch.dir, 'out')] }, env());
    expect(second).toMatchObject({ rows: 80, added: byShard[3].length - cut, updated: 0, unchanged: 80 - byShard[3].length + cut, missing: { count: 0, exact: true, note: null } });
    const third = await mergeResults({ inputs: [path.join(scratch.dir, 'out')] }, env());
    expect(third).toMatchObject({ added: 0, updated: 0, unchanged: 80 });
    expect(scratch.project.stores.classified.summary(first.classifierId, 0).total).toBe(80);
  });

  it('counts the photos of a shard with no output from the manifests when the listing cannot be read here', async () => {
    const files = [await writeShard(0), await writeShard(1), await writeShard(2)];
    fs.renameSync(listFile, path.join(scratch.dir, 'moved.txt'));
    const result = await mergeResults({ inputs: files }, env());
    expect(result.missing).toMatchObject({ count: byShard[3].length, exact: false, absentShards: [3], unfinishedShards: [], examples: [] });
    expect(result.missing.note).toMatch(/No output of shard 3\..*counted from the shards' manifests, not named: .*photos\.txt/s);
  });

  it('stores a photo the project knows at the project’s own path, by content', async () => {
    const own = path.join(scratch.dir, 'mine', 'kitten.jpg');
    await writeJpeg(own, { r: 200, g: 120, b: 40 });
    await importPhotos({ folders: [path.dirname(own)], folderLabels: false }, env());
    byShard[2][0] = { ...byShard[2][0], hash: createHash('sha256').update(fs.readFileSync(own)).digest('hex') };
    const result = await mergeResults({ inputs: [await writeShard(2)] }, env());
    expect(result.byHash).toBe(1);
    const rows = scratch.project.stores.classified.page({ classifierId: result.classifierId, threshold: 0, sort: 'path', offset: 0, limit: 100 }).items;
    expect(rows.map((r) => r.path)).toContain(own);
    expect(rows.map((r) => r.path)).not.toContain(byShard[2][0].path);
    expect(rows).toHaveLength(byShard[2].length);
  });

  it('reports a photo present twice, and lines that are not results', async () => {
    const shard0 = await writeShard(0);
    const again = await writeShard(0, { file: 'shard-0-rerun.jsonl' });
    const shard1 = await writeShard(1);
    // A row of shard 2 in shard 1's file, and a line cut short by a killed shard.
    const stray = { path: byShard[2][0].path, key: byShard[2][0].key, hash: byShard[2][0].hash, size: 1, mtimeMs: 1, class: 'cat', confidence: 0.9, top: [{ label: 'cat', confidence: 0.9 }], error: null };
    fs.appendFileSync(shard1, `${JSON.stringify(stray)}\n{"path":"/half`);
    const result = await mergeResults({ inputs: [shard0, again, shard1, shard0] }, env());
    expect(result.files).toHaveLength(3);
    expect(result.duplicates.count).toBe(byShard[0].length);
    expect(result.duplicates.examples[0]).toMatch(/\(in shard-0-of-4\.jsonl and shard-0-rerun\.jsonl\)$/);
    expect(result.malformed.map((m) => m.reason)).toEqual([expect.stringMatching(/belongs to shard 2, not to shard 1/), expect.stringMatching(/cut short/)]);
    expect(result.malformed.map((m) => m.line)).toEqual([byShard[1].length + 1, byShard[1].length + 2]);
    expect(result.added).toBe(byShard[0].length + byShard[1].length);
  });

  it('refuses outputs of two models, or of two splits, before importing anything', async () => {
    const ours = await writeShard(0);
    const theirs = await writeShard(1, { model: { ...MODEL, identity: `onnx:${'b'.repeat(64)}`, name: 'birds (exported run 4)' } });
    await expect(mergeResults({ inputs: [ours, theirs] }, env())).rejects.toThrow(/classified by the model birds \(exported run 4\).*different models/);
    const other = path.join(scratch.dir, 'other.jsonl');
    fs.copyFileSync(ours, other);
    fs.writeFileSync(`${other}.manifest.json`, fs.readFileSync(`${ours}.manifest.json`, 'utf8').replace('"count": 4', '"count": 8'));
    await expect(mergeResults({ inputs: [ours, other] }, env())).rejects.toThrow(/one of 8 shards.*one of 4/);
    fs.rmSync(`${other}.manifest.json`);
    await expect(mergeResults({ inputs: [other] }, env())).rejects.toThrow(/has no other\.jsonl\.manifest\.json beside it/);
    expect(scratch.project.stores.classified.list()).toEqual([]);
  });
});
