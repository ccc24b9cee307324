/**
 * The job's side of its row-product thread (see rowProductThread.ts): `multiply` is
 * `multiplyRows` with the rows of `data` shared between the job's thread and the helper, so that
 * the softmax head's fit uses two cores. Every product is still computed whole, by the same loop in
 * the same order, by one thread or the other: the results are bit-identical. Small products, and
 * every product when the bundled thread script is absent (running from sources) or the thread
 * cannot start, are computed on the calling thread as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { describeSchemaError } from '../../shared/api/errors';
import { closedClaim, Control, CONTROL_WORDS, FAILED, FromRowProducts, MAX_CHUNKS, nextGeneration, openClaim, takeChunks, type RowProductSetup, type SharedMatrix, type ToRowProducts } from './rowProductProtocol';
import { multiplyRows, type MultiplyRows } from './rowProducts';

export const ROW_PRODUCT_THREAD_SCRIPT = 'row-product-thread.cjs';

/**
 * Below this many multiply-adds (≈ 0.2 ms on one core) a product stays on the calling thread:
 * waking the helper costs tens of microseconds, a large part of what it could save.
 */
const SHARED_PRODUCT_MIN = 2 ** 18;

/**
 * A helper that failed inside a chunk it took never completes it, and its wake-up may come
 * between this thread's last look and its sleep: the wait for the last rows looks again this often.
 */
const FAILURE_CHECK_MS = 100;
/** A chunk takes milliseconds: this long without one finished, the helper is taken for gone. */
const STALLED_MS = 10_000;

/** The thread could not be started at all. */
export class RowProductThreadUnavailable extends Error {}

export interface RowProductThread {
  /**
   * Settles once the helper has started; rejects with RowProductThreadUnavailable when it cannot
   * start, or with why when it speaks another protocol. Until it has started, `multiply` computes
   * on the calling thread: a fit need not wait for the helper.
   */
  readonly ready: Promise<void>;
  /**
   * `multiplyRows`, same arguments, same results, split by rows with the helper. The rows of
   * `data` are copied to shared memory the first time that array is multiplied, and the copy is
   * reused while the array lives: the solver multiplies the same prepared rows hundreds of times
   * and never changes them. Blocks while the helper finishes its last chunk: call it from a thread
   * that may block (a worker process's, not a browser's main thread).
   */
  multiply: MultiplyRows;
  /** Rows of products the helper has computed (the calling thread computed the rest). */
  helperRows(): number;
  /** Ends the thread; `multiply` fails after this. */
  release(): Promise<void>;
}

/** The thread's script beside this bundle, or null when running from sources. */
export function rowProductThreadScript(): string | null {
  const script = path.join(__dirname, ROW_PRODUCT_THREAD_SCRIPT);
  return fs.existsSync(script) ? script : null;
}

/**
 * The bundled thread, starting, or null when there is none (running from sources) or this thread
 * may not block: the caller then multiplies on its own thread.
 */
export function bundledRowProductThread(): RowProductThread | null {
  const script = rowProductThreadScript();
  if (!script) return null;
  try {
    // Products wait for the helper's last chunk: where this thread may not block (a browser's main thread), this throws.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return null;
  }
  try {
    return startRowProductThread(script);
  } catch {
    // A thread that cannot be made (resource limits): the products run on this thread.
    return null;
  }
}

/** `stalledMs`: how long without a chunk finished before the helper is taken for gone (tests shorten it). */
export function startRowProductThread(script: string, { stalledMs = STALLED_MS } = {}): RowProductThread {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
  Atomics.store(control, Control.claim, closedClaim(0));
  const { port1: port, port2: threadPort } = new MessageChannel();
  const thread = new Worker(script, { workerData: { control, port: threadPort } satisfies RowProductSetup, transferList: [threadPort], stdout: false, stderr: false });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A thread that cannot start only means products on this thread: nobody has to be told.
  ready.catch(() => {});
  let started = false;
  /** Why products fail from now on: the started thread stopped, or was released. */
  let broken: Error | null = null;
  const shared = new WeakMap<Float32Array, SharedMatrix>();
  let nextMatrixId = 0;
  /** The matrices the helper holds, the last used last. */
  let held: SharedMatrix[] = [];
  let other = new Float64Array(new SharedArrayBuffer(0));
  let out = new Float64Array(new SharedArrayBuffer(0));
  let generation = 0;

  const post = (message: ToRowProducts): void => port.postMessage(message);
  const stop = (error: Error): void => {
    broken ??= error;
    rejectReady(error);
  };
  function received(raw: unknown): void {
    const parsed = FromRowProducts.safeParse(raw);
    if (!parsed.success) {
      stop(new Error(`The row-product thread sent something Graft does not understand: ${describeSchemaError(parsed.error, 'message')}`));
      void thread.terminate();
    } else if (parsed.data.type === 'failed') {
      stop(new Error(`The row-product thread stopped: ${parsed.data.message}`));
    } else if (!broken) {
      started = true;
      resolveReady();
    }
  }
  /** Reads what the helper sent at once: a fit does not return to its event loop between products. */
  const readMessages = (): void => {
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) received(message.message);
  };
  port.on('message', received);
  thread.on('error', (error) => {
    if (started) stop(new Error(`The row-product thread stopped: ${error.message}`));
    else rejectReady(new RowProductThreadUnavailable(error.message));
  });
  thread.on('exit', (code) => {
    // Its last words (why it failed) may still be waiting in the port.
    readMessages();
    if (started) stop(new Error(`The row-product thread ended (code ${code}).`));
    else rejectReady(new RowProductThreadUnavailable(`it exited with code ${code} before it was ready`));
    port.close();
  });

  function sharedMatrix(data: Float32Array, rows: number, columns: number): SharedMatrix {
    const known = shared.get(data);
    if (known && known.rows === rows && known.columns === columns) return known;
    const values = new Float32Array(new SharedArrayBuffer(rows * columns * Float32Array.BYTES_PER_ELEMENT));
    values.set(data.subarray(0, rows * columns));
    const matrix = { id: nextMatrixId++, values, rows, columns };
    shared.set(data, matrix);
    return matrix;
  }

  function multiply(data: Float32Array, dataRows: number, otherValues: Float64Array, otherRows: number, inner: number, result: Float64Array): void {
    if (!started || Atomics.load(control, Control.state) === FAILED) readMessages();
    if (broken) throw broken;
    if (!started || dataRows * otherRows * inner < SHARED_PRODUCT_MIN) return multiplyRows(data, dataRows, otherValues, otherRows, inner, result);
    const matrix = sharedMatrix(data, dataRows, inner);
    generation = nextGeneration(generation);
    // Closed first: a helper still looking at the last request must see that it changed before anything of this one is written.
    Atomics.store(control, Control.claim, closedClaim(generation));
    if (!held.includes(matrix)) {
      // The solver alternates between a set of rows and their transpose: holding the last two
      // matrices keeps both, and lets the helper drop the rows of a fit that is over.
      held = [...held.slice(-1), matrix];
      post({ type: 'hold', matrices: held });
    }
    if (other.length < otherRows * inner || out.length < dataRows * otherRows) {
      other = new Float64Array(new SharedArrayBuffer(Math.max(other.length, otherRows * inner) * Float64Array.BYTES_PER_ELEMENT));
      out = new Float64Array(new SharedArrayBuffer(Math.max(out.length, dataRows * otherRows) * Float64Array.BYTES_PER_ELEMENT));
      post({ type: 'buffers', other, out });
    }
    other.set(otherValues.subarray(0, otherRows * inner));
    // Even chunks: a chunk's rows pair up in multiplyRows exactly as they do in the whole product.
    const chunkRows = 2 * Math.ceil(dataRows / MAX_CHUNKS / 2);
    Atomics.store(control, Control.matrix, matrix.id);
    Atomics.store(control, Control.otherRows, otherRows);
    Atomics.store(control, Control.chunkRows, chunkRows);
    Atomics.store(control, Control.completed, 0);
    Atomics.store(control, Control.claim, openClaim(generation));
    Atomics.add(control, Control.signal, 1);
    Atomics.notify(control, Control.signal);
    // Chunks rather than halves: when the helper wakes late (the core is busy), this thread takes
    // its chunks instead of waiting for it.
    takeChunks(control, generation, matrix.values, dataRows, other, otherRows, inner, chunkRows, out);
    let waited = 0;
    for (let completed = Atomics.load(control, Control.completed); completed < dataRows; completed = Atomics.load(control, Control.completed)) {
      if (Atomics.load(control, Control.state) === FAILED) {
        readMessages();
        throw broken ?? new Error('The row-product thread stopped.');
      }
      if (Atomics.wait(control, Control.completed, completed, FAILURE_CHECK_MS) !== 'timed-out') waited = 0;
      else if ((waited += FAILURE_CHECK_MS) >= stalledMs) {
        // The helper took a chunk and never finished it (its thread died without a word, which
        // this thread would only hear of on its event loop): this product and the next are
        // computed here, the same sums in the same order.
        started = false;
        return multiplyRows(data, dataRows, otherValues, otherRows, inner, result);
      }
    }
    result.set(out.subarray(0, dataRows * otherRows));
  }

  return {
    ready,
    multiply,
    helperRows: () => Atomics.load(control, Control.threadRows),
    release() {
      stop(new Error('The row-product thread was released.'));
      // Nothing to finish: between products the helper only sleeps.
      void thread.terminate();
      return exited;
    },
  };
}
