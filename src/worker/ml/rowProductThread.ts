/**
 * Entry of a job's row-product thread (dist/row-product-thread.cjs): the second core's share of
 * the softmax head's dense products. Fitting the head is one product after another on the job's
 * thread, each a few milliseconds; this thread sleeps on the control words, and when a request is
 * published it takes chunks of its rows alongside the job (see rowProductProtocol.ts). It reads its
 * messages only when woken, synchronously: it never returns to an event loop between products.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { describeSchemaError } from '../../shared/api/errors';
import { Control, FAILED, generationOf, isClosed, MAX_CHUNKS, RowProductRequest, RowProductSetup, rowsLeft, takeChunks, ToRowProducts, type FromRowProducts, type SharedMatrix } from './rowProductProtocol';

const { control, port } = RowProductSetup.parse(workerData);
const send = (message: FromRowProducts): void => port.postMessage(message);

let held: SharedMatrix[] = [];
let other = new Float64Array(new SharedArrayBuffer(0));
let out = new Float64Array(new SharedArrayBuffer(0));

function readMessages(): void {
  for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
    const parsed = ToRowProducts.safeParse(received.message);
    if (!parsed.success) throw new Error(`The row-product thread received a message it does not understand: ${describeSchemaError(parsed.error, 'message')}`);
    const message = parsed.data;
    if (message.type === 'hold') held = message.matrices;
    else ({ other, out } = message);
  }
}

/** The request as the job published it, checked against what this thread holds. */
function checked(request: RowProductRequest): { matrix: SharedMatrix; otherRows: number; chunkRows: number } {
  const parsed = RowProductRequest.safeParse(request);
  if (!parsed.success) throw new Error(`The row-product thread received a request it does not understand: ${describeSchemaError(parsed.error, 'request')}`);
  const matrix = held.find((m) => m.id === request.matrix);
  if (!matrix) throw new Error(`A product names matrix ${request.matrix}, which the row-product thread was not sent.`);
  if (request.otherRows * matrix.columns > other.length || matrix.rows * request.otherRows > out.length) throw new Error(`A product of ${matrix.rows} × ${matrix.columns} by ${request.otherRows} rows does not fit the buffers the row-product thread was sent.`);
  if (Math.ceil(matrix.rows / request.chunkRows) > MAX_CHUNKS) throw new Error(`A product splits ${matrix.rows} rows into chunks of ${request.chunkRows}: more than ${MAX_CHUNKS}.`);
  return { matrix, otherRows: request.otherRows, chunkRows: request.chunkRows };
}

/** Takes part in the current request, if there is one with rows left. */
function serveCurrent(): void {
  for (;;) {
    const claim = Atomics.load(control, Control.claim);
    // The job publishes a request's messages before its claim word: they are here to be read now.
    readMessages();
    const request = { matrix: Atomics.load(control, Control.matrix), otherRows: Atomics.load(control, Control.otherRows), chunkRows: Atomics.load(control, Control.chunkRows) };
    // The job closes the claim word before it rewrites anything, so an unchanged word means the
    // request just read is whole, and is the one the messages read belong to.
    if (Atomics.load(control, Control.claim) !== claim) continue;
    if (isClosed(claim)) return;
    const { matrix, otherRows, chunkRows } = checked(request);
    if (!rowsLeft(claim, matrix.rows, chunkRows)) return;
    const computed = takeChunks(control, generationOf(claim), matrix.values, matrix.rows, other, otherRows, matrix.columns, chunkRows, out);
    Atomics.add(control, Control.threadRows, computed);
    return;
  }
}

/** Serves requests until the job ends the thread (it terminates it: between requests this thread only sleeps). */
function serve(): never {
  send({ type: 'ready' });
  let seen = Atomics.load(control, Control.signal);
  for (;;) {
    Atomics.wait(control, Control.signal, seen);
    seen = Atomics.load(control, Control.signal);
    serveCurrent();
  }
}

try {
  serve();
} catch (error) {
  // The job may be waiting on rows this thread will not compute: wake it to read why.
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  Atomics.store(control, Control.state, FAILED);
  Atomics.notify(control, Control.completed);
  port.close();
}
