/**
 * Entry of a job's inference thread (dist/inference-thread.cjs): one onnxruntime session, running
 * the batches the job sends, in order. onnxruntime-node runs a session on the thread that calls
 * it and holds that thread until the batch is done; in a thread of its own, the job's main thread
 * stays free to keep the photo decoders fed (and to hear "cancel") while the network runs.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { describeSchemaError } from '../../shared/api/errors';
import { createSession } from './computeDevice';
import type { FromInference} from './inferenceProtocol';
import { InferenceSetup, ToInference } from './inferenceProtocol';
import { fixedBatch, pixelRunner, type PixelRun } from './onnxSession';

if (!parentPort) throw new Error('inference-thread.cjs runs as a worker thread of a job.');
const port: MessagePort = parentPort;
const send = (message: FromInference): void => port.postMessage(message);

async function start(): Promise<void> {
  const setup = InferenceSetup.parse(workerData);
  let session: Awaited<ReturnType<typeof createSession>>['session'];
  let run: PixelRun;
  try {
    const created = await createSession(setup.model, undefined, setup.threads);
    session = created.session;
    run = pixelRunner(session, created.device.provider, setup, setup.inputSize);
    send({ type: 'ready', engine: created.device.description, fixedBatch: fixedBatch(session, setup.input) });
  } catch (error) {
    send({ type: 'unusable', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  // Messages are handled one at a time, in order: each batch runs after the one before.
  let queue = Promise.resolve();
  port.on('message', (raw: unknown) => {
    const parsed = ToInference.safeParse(raw);
    if (!parsed.success) throw new Error(`The inference thread received a message it does not understand: ${describeSchemaError(parsed.error, 'message')}`);
    const message = parsed.data;
    queue = queue.then(async () => {
      if (message.type === 'release') {
        await session.release();
        send({ type: 'released' });
        port.close();
        return;
      }
      try {
        // A copy: the session's output may live in memory onnxruntime owns, which cannot be moved to another thread.
        const rows = (await run(message.pixels, message.count)).slice();
        port.postMessage({ type: 'rows', id: message.id, rows } satisfies FromInference, [rows.buffer]);
      } catch (error) {
        send({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}

void start();
