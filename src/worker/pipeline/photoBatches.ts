/**
 * The one photo pipeline every job that reads photos uses: items are loaded (read, hashed,
 * decoded — on sharp's and libuv's threads) a bounded number ahead, in order, while the network
 * runs on the batch before; each batch of decoded pixels goes through the model once, and the
 * caller gets the batch back with each item's output row, to record before the next.
 *
 *   items ──load (≤ `ahead` in flight)──▶ batch of pixels ──PixelModel──▶ rows ──▶ caller
 */
import type { PixelModel } from './pixelModel';

/** What loading an item gave: pixels for the model, or nothing to run (already known, unreadable…). */
export interface Loaded<D> {
  pixels: Uint8Array | null;
  /** Whatever the caller needs back with the item (its outcome, its hash…). */
  data: D;
}

export interface Processed<T, D> {
  item: T;
  data: D;
  /** The model's output row for the item; null when it had no pixels. */
  output: Float32Array | null;
}

export interface PipelineOptions {
  batchSize: number;
  /** Items loading at once: enough to keep the decoders busy while the model runs. */
  ahead: number;
  signal: AbortSignal;
}

/** Maps items through an async function with at most `ahead` in flight, yielding results in order. */
export async function* mapAhead<T, R>(items: Iterable<T>, load: (item: T) => Promise<R>, ahead: number, signal: AbortSignal): AsyncGenerator<{ item: T; result: R }> {
  const iterator = items[Symbol.iterator]();
  const inFlight: { item: T; result: Promise<R> }[] = [];
  const fill = () => {
    while (inFlight.length < ahead) {
      const next = iterator.next();
      if (next.done) return;
      const result = load(next.value);
      // Results are awaited in order; an early rejection must not count as unhandled meanwhile.
      result.catch(() => {});
      inFlight.push({ item: next.value, result });
    }
  };
  fill();
  while (inFlight.length) {
    signal.throwIfAborted();
    const head = inFlight.shift()!;
    const result = await head.result;
    fill();
    yield { item: head.item, result };
  }
}

/**
 * Runs the items' pixels through the model in batches; yields each batch, in order, with its
 * outputs. As many batches run as the model runs at once (one per session) while the next one is
 * gathered, so the network (in its own threads) never waits for the caller's bookkeeping and the
 * loaders never wait for the network. The model may still be loading (a promise): photos are read
 * and decoded meanwhile.
 */
export async function* photoBatches<T, D>(items: Iterable<T>, load: (item: T) => Promise<Loaded<D>>, model: PixelModel | Promise<PixelModel | null> | null, options: PipelineOptions): AsyncGenerator<Processed<T, D>[]> {
  const runBatch = async (batch: { item: T; loaded: Loaded<D> }[]): Promise<Processed<T, D>[]> => {
    const withPixels = batch.filter((b) => b.loaded.pixels !== null);
    const outputs = new Map<number, Float32Array>();
    const ready = await model;
    if (withPixels.length && ready) {
      const rows = await ready.run(withPixels.map((b) => b.loaded.pixels!));
      const width = rows.length / withPixels.length;
      withPixels.forEach((b, i) => outputs.set(batch.indexOf(b), rows.subarray(i * width, (i + 1) * width)));
    }
    return batch.map((b, i) => ({ item: b.item, data: b.loaded.data, output: outputs.get(i) ?? null }));
  };
  let batch: { item: T; loaded: Loaded<D> }[] = [];
  // Batches sent to the model, oldest first: as many as it runs at once (once it is known) while the next is gathered.
  const running: Promise<Processed<T, D>[]>[] = [];
  let parallel = 1;
  void Promise.resolve(model).then(
    (ready) => (parallel = ready?.parallel ?? 1),
    () => {},
  );
  const start = () => {
    const next = runBatch(batch);
    // Awaited in order below; a failure meanwhile must not count as unhandled.
    next.catch(() => {});
    running.push(next);
    batch = [];
  };
  let pixelCount = 0;
  for await (const { item, result } of mapAhead(items, load, options.ahead, options.signal)) {
    batch.push({ item, loaded: result });
    if (result.pixels !== null) pixelCount++;
    // A batch is full when it holds batchSize photos for the model; items without pixels ride
    // along, up to a limit, so that a resumed job still records and reports as it goes.
    if (pixelCount >= options.batchSize || batch.length >= options.batchSize * 16) {
      pixelCount = 0;
      start();
      while (running.length > parallel) {
        yield await running.shift()!;
        // The caller may have cancelled while it recorded that batch.
        options.signal.throwIfAborted();
      }
    }
  }
  if (batch.length) start();
  while (running.length) {
    yield await running.shift()!;
    if (running.length) options.signal.throwIfAborted();
  }
}
