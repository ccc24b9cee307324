import { describe, expect, it } from 'vitest';
import { photoBatches } from './photoBatches';
import type { PixelModel } from './pixelModel';

/** A model whose row for a photo is its first byte; it logs when each batch arrives and is answered. */
function loggingModel(log: string[], parallel = 1): PixelModel {
  let batches = 0;
  return {
    inputSize: 1,
    engine: 'test',
    parallel,
    async run(photos) {
      const batch = ++batches;
      log.push(`run ${batch}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`ran ${batch}`);
      return Float32Array.from(photos.map((p) => p[0]));
    },
    release: async () => {},
  };
}

/** Items 0..n-1; every fifth has nothing for the model (a known photo, an unreadable file). */
const load = async (item: number) => ({ pixels: item % 5 === 4 ? null : new Uint8Array([item]), data: `item ${item}` });

describe('photoBatches', () => {
  it('yields every item once, in order, with its own output, and sends the next batch to the model before the caller gets the one before', async () => {
    const log: string[] = [];
    const seen: { item: number; output: number | null }[] = [];
    for await (const batch of photoBatches(Array.from({ length: 20 }, (_, i) => i), load, loggingModel(log), { batchSize: 4, ahead: 8, signal: new AbortController().signal })) {
      log.push(`yield ${batch[0].item}..${batch.at(-1)!.item}`);
      for (const b of batch) seen.push({ item: b.item, output: b.output ? b.output[0] : null });
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => ({ item: i, output: i % 5 === 4 ? null : i })));
    // Batch 2 is with the model before batch 1 reaches the caller: the network never waits for the caller.
    expect(log.indexOf('run 2')).toBeGreaterThan(-1);
    expect(log.indexOf('run 2')).toBeLessThan(log.findIndex((l) => l.startsWith('yield')));
    expect(log.filter((l) => l.startsWith('run'))).toHaveLength(4);
  });

  it('stops when the caller cancels while it records a batch, though every photo is loaded', async () => {
    const abort = new AbortController();
    const yielded: number[] = [];
    const batches = photoBatches(Array.from({ length: 20 }, (_, i) => i), load, loggingModel([]), { batchSize: 4, ahead: 32, signal: abort.signal });
    await expect(
      (async () => {
        for await (const batch of batches) {
          yielded.push(batch[0].item);
          // By the fourth batch every item is loaded: only photoBatches itself can notice the cancel.
          if (batch[0].item >= 14) abort.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(yielded).toEqual([0, 4, 9, 14]);
  });

  it('reads and decodes photos while the model is still loading, and fails when it cannot load', async () => {
    const log: string[] = [];
    const loading = new Promise<PixelModel>((resolve) => setTimeout(() => {
      log.push('model ready');
      resolve(loggingModel(log));
    }, 20));
    const logged = async (item: number) => {
      log.push(`load ${item}`);
      return load(item);
    };
    const outputs: (number | null)[] = [];
    for await (const batch of photoBatches(Array.from({ length: 8 }, (_, i) => i), logged, loading, { batchSize: 4, ahead: 8, signal: new AbortController().signal })) outputs.push(...batch.map((b) => (b.output ? b.output[0] : null)));
    expect(outputs).toEqual([0, 1, 2, 3, null, 5, 6, 7]);
    expect(log.indexOf('load 7')).toBeLessThan(log.indexOf('model ready'));

    const broken = Promise.reject(new Error('The model file is damaged.'));
    broken.catch(() => {}); // as the jobs do: the failure is seen by the first batch
    const batches = photoBatches([1, 2, 3], load, broken, { batchSize: 4, ahead: 8, signal: new AbortController().signal });
    await expect(batches.next()).rejects.toThrow('The model file is damaged.');
  });

  it('keeps as many batches with the model as it runs at once', async () => {
    const log: string[] = [];
    const items: number[] = [];
    for await (const batch of photoBatches(Array.from({ length: 20 }, (_, i) => i), load, loggingModel(log, 2), { batchSize: 4, ahead: 20, signal: new AbortController().signal })) items.push(...batch.map((b) => b.item));
    expect(items).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Batches 1, 2 and 3 are all sent before the caller gets batch 1: two run, one is gathered.
    expect(log.indexOf('run 3')).toBeLessThan(log.indexOf('ran 1'));
  });
});
