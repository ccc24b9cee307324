/**
 * How a job and its row-product thread (see rowProductThread.ts) share the softmax head's dense
 * products. A product is a few milliseconds, too short for a message each way: its rows are handed
 * out through shared memory instead (the control words below), and messages carry only what
 * changes rarely: the matrices and buffers to share, and whether the thread is ready. Both ends
 * validate every message they receive, and the thread checks every request against what it holds.
 */
import { MessagePort } from 'node:worker_threads';
import { z } from 'zod';
import { multiplyRows } from './rowProducts';

const sharedFloats = z.custom<Float32Array<SharedArrayBuffer>>((value) => value instanceof Float32Array && value.buffer instanceof SharedArrayBuffer, 'expected numbers in shared memory (a Float32Array on a SharedArrayBuffer)');
const sharedDoubles = z.custom<Float64Array<SharedArrayBuffer>>((value) => value instanceof Float64Array && value.buffer instanceof SharedArrayBuffer, 'expected numbers in shared memory (a Float64Array on a SharedArrayBuffer)');
const controlWords = z.custom<Int32Array<SharedArrayBuffer>>((value) => value instanceof Int32Array && value.buffer instanceof SharedArrayBuffer && value.length === CONTROL_WORDS, 'expected the control words (an Int32Array on a SharedArrayBuffer)');
const port = z.custom<MessagePort>((value) => value instanceof MessagePort, 'expected a MessagePort');

/** A `rows × columns` matrix, row-major, that products take their rows from. */
export const SharedMatrix = z
  .object({ id: z.number().int().nonnegative(), values: sharedFloats, rows: z.number().int().positive(), columns: z.number().int().positive() })
  .refine((m) => m.values.length === m.rows * m.columns, 'the values are not rows × columns');
export type SharedMatrix = z.infer<typeof SharedMatrix>;

/** What the thread is started with (its workerData): the control words, and its end of the channel. */
export const RowProductSetup = z.object({ control: controlWords, port });
export type RowProductSetup = z.infer<typeof RowProductSetup>;

export const ToRowProducts = z.discriminatedUnion('type', [
  /** The matrices requests may name from now on, in place of those held before. */
  z.object({ type: z.literal('hold'), matrices: z.array(SharedMatrix) }),
  /** The buffers of every request from now on: the other operand, and the products. */
  z.object({ type: z.literal('buffers'), other: sharedDoubles, out: sharedDoubles }),
]);
export type ToRowProducts = z.infer<typeof ToRowProducts>;

export const FromRowProducts = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Something it was sent was wrong: it computes nothing more (the job fails with this message). */
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type FromRowProducts = z.infer<typeof FromRowProducts>;

/** What a request asks, as read from the control words; the thread checks it against the matrix and buffers it holds. */
export const RowProductRequest = z.object({ matrix: z.number().int().nonnegative(), otherRows: z.number().int().positive(), chunkRows: z.number().int().positive().multipleOf(2) });
export type RowProductRequest = z.infer<typeof RowProductRequest>;

/** The control words' places. */
export const Control = {
  /** Bumped by the job after it publishes a request (with the messages it needs): what the thread sleeps on. */
  signal: 0,
  /** The request's generation (high bits) and the next chunk of rows to take (low bits). */
  claim: 1,
  /** Rows of the request done so far, by either thread: what the job sleeps on. */
  completed: 2,
  /** Set to FAILED by the thread when it stops on an error. */
  state: 3,
  matrix: 4,
  otherRows: 5,
  chunkRows: 6,
  /** Rows the thread has computed, over all requests. */
  threadRows: 7,
} as const;
export const CONTROL_WORDS = 8;
export const FAILED = 1;
const CHUNK_BITS = 8;
/** Generations wrap; a thread would have to sleep through 2^23 requests to mistake an old one for the current. */
const GENERATIONS = 2 ** (31 - CHUNK_BITS);
/** A request splits its rows into at most this many chunks (fewer than CLOSED). */
export const MAX_CHUNKS = 32;

const CHUNK_MASK = 2 ** CHUNK_BITS - 1;
/** The chunk index of a claim word whose request is being written: nothing to take yet. */
const CLOSED = CHUNK_MASK;

export const nextGeneration = (generation: number): number => (generation + 1) % GENERATIONS;
/** The claim word of a request being written (its buffers, messages and words are not all there yet). */
export const closedClaim = (generation: number): number => (generation << CHUNK_BITS) | CLOSED;
/** The claim word of a published request, none of its rows taken. */
export const openClaim = (generation: number): number => generation << CHUNK_BITS;
export const isClosed = (claim: number): boolean => (claim & CHUNK_MASK) === CLOSED;
export const generationOf = (claim: number): number => claim >>> CHUNK_BITS;
/** Whether the published request of this claim word still has rows nobody took. */
export const rowsLeft = (claim: number, rows: number, chunkRows: number): boolean => !isClosed(claim) && (claim & CHUNK_MASK) * chunkRows < rows;

/**
 * Takes chunks of the current request's rows, one at a time, until none is left or the request is
 * no longer `generation`, and computes each into `out`: both threads run this on the same request.
 * Each chunk is `multiplyRows` on whole rows, starting at an even row, so every product is summed
 * by exactly the loop, in exactly the order, it is on one thread. Returns the rows it computed.
 */
export function takeChunks(control: Int32Array, generation: number, data: Float32Array, rows: number, other: Float64Array, otherRows: number, inner: number, chunkRows: number, out: Float64Array): number {
  let computed = 0;
  for (;;) {
    const claim = Atomics.load(control, Control.claim);
    if (generationOf(claim) !== generation || !rowsLeft(claim, rows, chunkRows)) return computed;
    if (Atomics.compareExchange(control, Control.claim, claim, claim + 1) !== claim) continue;
    const from = (claim & CHUNK_MASK) * chunkRows;
    const to = Math.min(rows, from + chunkRows);
    multiplyRows(data.subarray(from * inner, to * inner), to - from, other, otherRows, inner, out.subarray(from * otherRows, to * otherRows));
    computed += to - from;
    Atomics.add(control, Control.completed, to - from);
    Atomics.notify(control, Control.completed);
  }
}
