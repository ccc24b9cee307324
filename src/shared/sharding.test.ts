import { describe, expect, it } from 'vitest';
import { chooseShard, murmur3, parseShard, partitionKey, shardFileName, shardOf } from './sharding';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** 10,000 paths shaped like a camera archive: similar names, the kind a weak hash clusters. */
function archivePaths(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return `${2010 + (n % 12)}/${String(1 + (n % 12)).padStart(2, '0')}/card-${n % 7}/IMG_${String(n).padStart(5, '0')}.JPG`;
  });
}

describe('partition', () => {
  it('is MurmurHash3 x86 32-bit (the published test vectors), so it can be reproduced outside Graft', () => {
    expect(murmur3(utf8(''))).toBe(0);
    expect(murmur3(utf8('hello'))).toBe(613153351);
    expect(murmur3(utf8('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
    expect(murmur3(utf8('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
  });

  it('puts every photo in exactly one shard, balanced within 5 % on 10,000 paths', () => {
    const paths = archivePaths(10_000);
    for (const count of [2, 3, 4, 8]) {
      const sizes = new Array<number>(count).fill(0);
      const outside = paths.filter((p) => !(shardOf(p, count) >= 0 && shardOf(p, count) < count && Number.isInteger(shardOf(p, count))));
      expect(outside).toEqual([]);
      for (const p of paths) sizes[shardOf(p, count)]++;
      const expected = paths.length / count;
      // 4 standard deviations of a fair split: 5 % of 2,500 photos for 4 shards.
      const allowed = count <= 4 ? 0.05 : 4 * Math.sqrt(expected * (1 - 1 / count)) / expected;
      for (const size of sizes) expect(Math.abs(size - expected) / expected).toBeLessThan(allowed);
    }
  });

  it('keeps each photo in its shard when photos are added', () => {
    const before = archivePaths(10_000);
    const shards = new Map(before.map((p) => [p, shardOf(p, 4)]));
    const after = [...archivePaths(3_000, 10_000), ...before].sort();
    expect(after.filter((p) => shards.has(p) && shardOf(p, 4) !== shards.get(p))).toEqual([]);
  });

  it('keys a path the same however it is written or mounted', () => {
    expect(partitionKey('./2019//06/./a.jpg')).toBe('2019/06/a.jpg');
    expect(partitionKey('2019/tmp/../06/a.jpg')).toBe('2019/06/a.jpg');
    expect(partitionKey('../elsewhere/a.jpg')).toBe('../elsewhere/a.jpg');
    expect(partitionKey('/../data/a.jpg')).toBe('/data/a.jpg');
    // macOS stores "é" decomposed; Linux keeps what it is given.
    expect(partitionKey('caf\u0065\u0301/a.jpg')).toBe(partitionKey('caf\u00e9/a.jpg'));
    expect(shardOf(partitionKey('caf\u0065\u0301/a.jpg'), 16)).toBe(shardOf(partitionKey('caf\u00e9/a.jpg'), 16));
  });

  it('names shard files so that they sort by index', () => {
    expect(shardFileName({ index: 3, count: 12 })).toBe('shard-03-of-12.jsonl');
    expect(shardFileName({ index: 0, count: 1 })).toBe('results.jsonl');
  });
});

describe('which shard this process is', () => {
  it('reads --shard K/N, counting from 0, and refuses what is not a shard', () => {
    expect(parseShard('2/4')).toMatchObject({ index: 2, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/numbered 0 to 3/);
    expect(() => parseShard('1-4')).toThrow(/K\/N/);
    expect(() => parseShard('0/0')).toThrow(/between 1 and/);
    expect(chooseShard({ shard: '1/4' }, { SLURM_ARRAY_TASK_ID: '3' })).toMatchObject({ index: 1, count: 4, source: 'flag', detail: expect.stringMatching(/SLURM_ARRAY_TASK_ID=3 ignored/) });
    expect(() => chooseShard({ shard: '1/4', shardCount: 8 }, {})).toThrow(/disagree/);
  });

  it('classifies everything when nothing says otherwise, and refuses a count without an index', () => {
    expect(chooseShard({}, {})).toMatchObject({ index: 0, count: 1, source: 'none' });
    expect(() => chooseShard({}, { GRAFT_SHARD_COUNT: '8' })).toThrow(/which one this is/);
  });

  it('reads a Kubernetes Indexed Job: the index from JOB_COMPLETION_INDEX, the count from --shard-count or GRAFT_SHARD_COUNT', () => {
    expect(chooseShard({}, { JOB_COMPLETION_INDEX: '5', GRAFT_SHARD_COUNT: '8' })).toMatchObject({ index: 5, count: 8, source: 'kubernetes', detail: 'Kubernetes: JOB_COMPLETION_INDEX=5, GRAFT_SHARD_COUNT=8' });
    expect(chooseShard({ shardCount: 8 }, { JOB_COMPLETION_INDEX: '0' })).toMatchObject({ index: 0, count: 8, source: 'kubernetes' });
    expect(() => chooseShard({}, { JOB_COMPLETION_INDEX: '5' })).toThrow(/--shard-count N or set GRAFT_SHARD_COUNT/);
    expect(() => chooseShard({ shardCount: 4 }, { JOB_COMPLETION_INDEX: '5' })).toThrow(/numbered 0 to 3/);
    expect(() => chooseShard({ shardCount: 4 }, { JOB_COMPLETION_INDEX: '1', GRAFT_SHARD_COUNT: '8' })).toThrow(/disagree/);
  });

  it('reads a Slurm array, from whatever id it starts at', () => {
    const env = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_STEP: '1' };
    expect(chooseShard({}, env)).toMatchObject({ index: 2, count: 4, source: 'slurm', detail: 'Slurm: SLURM_ARRAY_TASK_ID=3 − SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4' });
    expect(chooseShard({}, { ...env, SLURM_ARRAY_TASK_ID: '1' }).index).toBe(0);
    // --array=0-14:2 is 8 tasks, shards 0 to 7.
    expect(chooseShard({}, { SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '14', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_STEP: '2' })).toMatchObject({ index: 3, count: 8 });
    // --array=1,4,9: ids with gaps do not number shards.
    expect(() => chooseShard({}, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '9', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/not one range/);
    expect(() => chooseShard({ shardCount: 5 }, env)).toThrow(/Slurm says SLURM_ARRAY_TASK_COUNT=4 but --shard-count 5/);
  });

  it('reads an AWS Batch array job: the size from AWS_BATCH_JOB_ARRAY_SIZE when it is set, else the count given', () => {
    expect(chooseShard({}, { AWS_BATCH_JOB_ARRAY_INDEX: '7', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toMatchObject({ index: 7, count: 10, source: 'aws-batch' });
    expect(chooseShard({ shardCount: 10 }, { AWS_BATCH_JOB_ARRAY_INDEX: '7' })).toMatchObject({ index: 7, count: 10, detail: 'AWS Batch: AWS_BATCH_JOB_ARRAY_INDEX=7, --shard-count 10' });
    expect(() => chooseShard({}, { AWS_BATCH_JOB_ARRAY_INDEX: '7' })).toThrow(/AWS Batch gives this task its index/);
  });

  it('refuses to guess between two engines, or from a value that is not a number', () => {
    expect(() => chooseShard({}, { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '1', GRAFT_SHARD_COUNT: '4' })).toThrow(/Both JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX/);
    expect(() => chooseShard({}, { JOB_COMPLETION_INDEX: 'one', GRAFT_SHARD_COUNT: '4' })).toThrow(/JOB_COMPLETION_INDEX is “one”/);
  });
});
