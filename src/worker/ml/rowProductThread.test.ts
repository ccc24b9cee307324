import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { distPath } from '../../node/paths';
import { seededRandom } from './fit';
import { ROW_PRODUCT_THREAD_SCRIPT, RowProductThreadUnavailable, startRowProductThread, type RowProductThread } from './rowProductClient';
import { multiplyRows } from './rowProducts';
import { trainSoftmaxHead } from './softmaxHead';
import type { LabelledFeatures } from './softmaxRegression';

// The thread runs the bundled script: `npm test` builds dist/ first.
const script = distPath(ROW_PRODUCT_THREAD_SCRIPT);
let temp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  temp = makeTempDir();
});
afterAll(() => temp.remove());

/** Values of mixed signs and magnitudes: summed in another order or grouping, they round differently. */
function values<T extends Float32Array | Float64Array>(array: T, random: () => number): T {
  for (let i = 0; i < array.length; i++) array[i] = (random() - 0.5) * 10 ** Math.floor(random() * 6 - 3);
  return array;
}

/** The product by the thread, checked element for element (Object.is) against multiplyRows alone. */
function expectSameProduct(thread: RowProductThread, dataRows: number, otherRows: number, inner: number, seed: number): void {
  const random = seededRandom(seed);
  const data = values(new Float32Array(dataRows * inner), random);
  const other = values(new Float64Array(otherRows * inner), random);
  const alone = new Float64Array(dataRows * otherRows);
  const shared = new Float64Array(dataRows * otherRows).fill(NaN);
  multiplyRows(data, dataRows, other, otherRows, inner, alone);
  thread.multiply(data, dataRows, other, otherRows, inner, shared);
  const differing = Array.from(alone.keys()).filter((i) => !Object.is(alone[i], shared[i]));
  expect(differing, `${dataRows} × ${inner} by ${otherRows} rows`).toEqual([]);
}

/** A stand-in thread script: ready, then, once the first request is published, `onFirstRequest` (lines of JavaScript with `control` and `port`). */
function standIn(name: string, onFirstRequest: string[]): string {
  const file = path.join(temp.dir, `${name}.cjs`);
  const prologue = ["const { control, port } = require('node:worker_threads').workerData;", "port.postMessage({ type: 'ready' });", 'Atomics.wait(control, 0, 0);'];
  fs.writeFileSync(file, [...prologue, ...onFirstRequest].join('\n'));
  return file;
}

/** Float64 bit patterns: equal only when every number is bit-identical. */
const bits = (numbers: ArrayLike<number>): bigint[] => Array.from(new BigUint64Array(Float64Array.from(numbers).buffer));

describe('the row-product thread', () => {
  it('computes every product exactly as multiplyRows does on one thread, across odd row counts, the helper taking its share', async () => {
    const thread = startRowProductThread(script);
    try {
      await thread.ready;
      for (const dataRows of [1, 3, 33, 255, 257, 1001, 1693]) for (const otherRows of [1, 2, 3, 5]) for (const inner of [7, 768]) expectSameProduct(thread, dataRows, otherRows, inner, dataRows * 31 + otherRows * 7 + inner);
      // Small products stay on the calling thread; whether the helper wakes in time for a large
      // one depends on the machine's load, so large ones are repeated until it has taken part.
      expect(thread.helperRows()).toBeGreaterThan(0);
      const before = thread.helperRows();
      expectSameProduct(thread, 9, 2, 768, 1);
      expect(thread.helperRows()).toBe(before);
      for (let seed = 0; seed < 200 && thread.helperRows() === before; seed++) expectSameProduct(thread, 1693, 2, 768, seed);
      expect(thread.helperRows()).toBeGreaterThan(before);
    } finally {
      await thread.release();
    }
  });

  it('fits a softmax head bit-identical to the one fitted on the calling thread alone', async () => {
    const random = seededRandom(11);
    const rows = (count: number): LabelledFeatures => {
      const labels = Array.from({ length: count }, () => Math.floor(random() * 3));
      const features = new Float32Array(count * 160);
      labels.forEach((label, i) => {
        for (let j = 0; j < 160; j++) features[i * 160 + j] = (j % 3 === label ? 0.4 : 0) + random() - 0.5;
      });
      return { features, labels };
    };
    const train = rows(901);
    const validation = rows(301);
    const thread = startRowProductThread(script);
    try {
      await thread.ready;
      const shared = await trainSoftmaxHead(train, validation, { classCount: 3, multiply: thread.multiply });
      expect(thread.helperRows()).toBeGreaterThan(0);
      const alone = await trainSoftmaxHead(train, validation, { classCount: 3, multiply: multiplyRows });
      expect(shared.weights.tensors.map((t) => bits(t.values))).toEqual(alone.weights.tensors.map((t) => bits(t.values)));
      expect(shared.history.map((p) => bits([p.l2, p.loss, p.valLoss, p.iterations]))).toEqual(alone.history.map((p) => bits([p.l2, p.loss, p.valLoss, p.iterations])));
      expect([shared.iterations, bits([shared.gradientNorm])]).toEqual([alone.iterations, bits([alone.gradientNorm])]);
    } finally {
      await thread.release();
    }
  });

  it('fails products once released, its thread gone', async () => {
    const thread = startRowProductThread(script);
    await thread.ready;
    await thread.release();
    expect(() => thread.multiply(new Float32Array(4), 2, new Float64Array(2), 1, 2, new Float64Array(2))).toThrow(/released/);
  });

  it('multiplies on the calling thread when the thread cannot start, and tells that apart', async () => {
    const thread = startRowProductThread(path.join(temp.dir, 'absent.cjs'));
    await expect(thread.ready).rejects.toBeInstanceOf(RowProductThreadUnavailable);
    expectSameProduct(thread, 1001, 2, 768, 5);
    expect(thread.helperRows()).toBe(0);
    await thread.release();
  });

  it('refuses what a thread sends that is not its protocol', async () => {
    const impostor = path.join(temp.dir, 'impostor.cjs');
    fs.writeFileSync(impostor, "require('node:worker_threads').workerData.port.postMessage({ type: 'ready!' });\nsetInterval(() => {}, 1000);\n");
    const thread = startRowProductThread(impostor);
    await expect(thread.ready).rejects.toThrow(/does not understand: type/);
    await thread.release();
  });

  it('computes a product itself when the helper took a chunk and never finished it (a thread gone without a word)', async () => {
    // Takes the first chunk it can, then sleeps on it for good, saying nothing.
    const hoarder = standIn('hoarder', [
      'for (;;) { const claim = Atomics.load(control, 1); if ((claim & 255) !== 255 && Atomics.compareExchange(control, 1, claim, claim + 1) === claim) break; }',
      'Atomics.wait(control, 7, 0);',
    ]);
    const thread = startRowProductThread(hoarder, { stalledMs: 300 });
    await thread.ready;
    // Rows enough that the hoarder wakes while this thread is still taking chunks; the next product too.
    expectSameProduct(thread, 20_000, 2, 768, 5);
    expectSameProduct(thread, 20_000, 2, 768, 6);
    await thread.release();
  });

  it('fails the products with the reason a thread stopped for', async () => {
    // Gives up on the first request, as the real thread does on one it cannot serve.
    const quitter = standIn('quitter', ["port.postMessage({ type: 'failed', message: 'the quitter quits' });", 'Atomics.store(control, 3, 1);', 'Atomics.notify(control, 2);']);
    const thread = startRowProductThread(quitter);
    await thread.ready;
    const random = seededRandom(3);
    const data = values(new Float32Array(1001 * 768), random);
    const other = values(new Float64Array(2 * 768), random);
    let failure: unknown = null;
    // This thread may finish the first product alone before the quitter has quit: the next one fails.
    for (let attempt = 0; attempt < 50 && !failure; attempt++) {
      try {
        thread.multiply(data, 1001, other, 2, 768, new Float64Array(2002));
      } catch (error) {
        failure = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(failure).toMatchObject({ message: expect.stringMatching(/the quitter quits/) });
    await thread.release();
  });
});
