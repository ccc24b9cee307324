import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CPU_PHOTOS_PER_RUN, pixelRunner } from './onnxSession';
import { reluPixelsModel } from '../../../test-support/onnxFixtures';

/** A real session that records how many photos each of its runs was given. */
async function countingSession(model: Uint8Array): Promise<{ session: ort.InferenceSession; runs: number[] }> {
  const session = await ort.InferenceSession.create(model);
  const runs: number[] = [];
  const counting = Object.create(session, {
    run: { value: (feeds: Record<string, ort.Tensor>) => (runs.push(feeds.pixels.dims[0]), session.run(feeds)) },
  }) as ort.InferenceSession;
  return { session: counting, runs };
}

const photos = (count: number) => Uint8Array.from({ length: count * 12 }, (_, i) => Math.floor(i / 12) + 1);
const io = { input: 'pixels', output: 'y' };

describe('running a session on photos', () => {
  it('on the CPU runs a few photos at a time, each photo’s row where it belongs', async () => {
    const { session, runs } = await countingSession(reluPixelsModel('batch'));
    const rows = await pixelRunner(session, 'cpu', io, 2)(photos(10), 10);
    expect(CPU_PHOTOS_PER_RUN).toBe(4);
    expect(runs).toEqual([4, 4, 2]);
    expect(Array.from(rows)).toEqual(Array.from(photos(10)));
  });

  it('gives runs called at once each their own input (the reused one is not overwritten under a run)', async () => {
    const { session } = await countingSession(reluPixelsModel('batch'));
    const run = pixelRunner(session, 'cpu', io, 2);
    const first = photos(2);
    const second = photos(2).map((value) => value + 100);
    const [a, b] = await Promise.all([run(first, 2), run(second, 2)]);
    expect(Array.from(a)).toEqual(Array.from(first));
    expect(Array.from(b)).toEqual(Array.from(second));
    // And the reused buffer serves the next run.
    expect(Array.from(await run(photos(3), 3))).toEqual(Array.from(photos(3)));
  });

  it('gives a GPU the batch whole, and a model with a fixed batch exactly that batch', async () => {
    const gpu = await countingSession(reluPixelsModel('batch'));
    expect(Array.from(await pixelRunner(gpu.session, 'cuda', io, 2)(photos(10), 10))).toEqual(Array.from(photos(10)));
    expect(gpu.runs).toEqual([10]);
    const fixed = await countingSession(reluPixelsModel(8));
    expect(Array.from(await pixelRunner(fixed.session, 'cpu', io, 2)(photos(8), 8))).toEqual(Array.from(photos(8)));
    expect(fixed.runs).toEqual([8]);
  });
});
