import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { distPath } from '../../node/paths';
import { InferenceThreadUnavailable, INFERENCE_THREAD_SCRIPT, sessionPool, startInferenceThread, type BatchRunner } from './inferenceClient';
import { reluPixelsModel } from '../../../test-support/onnxFixtures';

const photo = (value: number) => new Uint8Array(12).fill(value);
const joined = (...photos: Uint8Array[]) => {
  const all = new Uint8Array(photos.length * 12);
  photos.forEach((p, i) => all.set(p, i * 12));
  return all;
};

// The thread runs the bundled script: `npm test` builds dist/ first.
const script = distPath(INFERENCE_THREAD_SCRIPT);
let temp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  temp = makeTempDir();
  process.env.GRAFT_HOME = path.join(temp.dir, 'home');
});
afterAll(() => temp.remove());

describe('the inference thread', () => {
  it('runs batches sent at once in order, each photo to its row, and reports its engine and batch size', async () => {
    const runner = await startInferenceThread(script, { model: reluPixelsModel('batch'), input: 'pixels', output: 'y', inputSize: 2, threads: 1 });
    try {
      expect(runner.engine).toMatch(/^onnxruntime .* on the CPU/);
      expect(runner.fixedBatch).toBeNull();
      const [first, second] = await Promise.all([runner.run(joined(photo(1), photo(2)), 2), runner.run(joined(photo(3)), 1)]);
      expect(Array.from(first)).toEqual([...Array(12).fill(1), ...Array(12).fill(2)]);
      expect(Array.from(second)).toEqual(Array(12).fill(3));
    } finally {
      await runner.release();
    }
    // Released: the thread is gone, and nothing more runs.
    await expect(runner.run(joined(photo(4)), 1)).rejects.toThrow(/ended|stopped/);
  });

  it('says when a model requires a batch size', async () => {
    const runner = await startInferenceThread(script, { model: reluPixelsModel(1), input: 'pixels', output: 'y', inputSize: 2, threads: 1 });
    expect(runner.fixedBatch).toBe(1);
    await runner.release();
  });

  it('fails with onnxruntime’s reason for a model it cannot load, and tells a thread that cannot start apart', async () => {
    const failure = startInferenceThread(script, { model: new Uint8Array([1, 2, 3]), input: 'pixels', output: 'y', inputSize: 2, threads: 1 });
    await expect(failure).rejects.toThrow(/\S/);
    await expect(failure).rejects.not.toBeInstanceOf(InferenceThreadUnavailable);
    await expect(startInferenceThread(path.join(temp.dir, 'absent.cjs'), { model: reluPixelsModel('batch'), input: 'pixels', output: 'y', inputSize: 2, threads: 1 })).rejects.toBeInstanceOf(InferenceThreadUnavailable);
  });

  it('refuses what a thread sends that is not its protocol', async () => {
    const impostor = path.join(temp.dir, 'impostor.cjs');
    fs.writeFileSync(impostor, "require('node:worker_threads').parentPort.postMessage({ type: 'ready', engine: 3 });\nsetInterval(() => {}, 1000);\n");
    await expect(startInferenceThread(impostor, { model: reluPixelsModel('batch'), input: 'pixels', output: 'y', inputSize: 2, threads: 1 })).rejects.toThrow(/does not understand: engine/);
  });
});

describe('a pool of sessions', () => {
  /** A session that answers a batch after `ms` with its own number, and logs what it was given. */
  const session = (id: number, log: string[], ms: number): BatchRunner => ({
    engine: 'test',
    parallel: 1,
    fixedBatch: null,
    run: async (pixels) => {
      log.push(`${id} got ${pixels[0]}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return Float32Array.of(id);
    },
    release: async () => {
      log.push(`${id} released`);
    },
  });

  it('gives each batch to the least busy session, runs as many at once as it has sessions, and releases them all', async () => {
    const log: string[] = [];
    const pool = sessionPool([session(0, log, 30), session(1, log, 5)], 'two sessions');
    expect(pool.parallel).toBe(2);
    const first = pool.run(Uint8Array.of(1), 1);
    const second = pool.run(Uint8Array.of(2), 1);
    expect(Array.from(await second)).toEqual([1]);
    // Session 1 is free again, session 0 still busy with batch 1: batch 3 goes to session 1.
    const third = pool.run(Uint8Array.of(3), 1);
    expect([...(await first), ...(await third)]).toEqual([0, 1]);
    await pool.release();
    expect(log).toEqual(['0 got 1', '1 got 2', '1 got 3', '0 released', '1 released']);
  });
});

