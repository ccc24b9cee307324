/**
 * The job's side of its inference thread (see inferenceThread.ts): starts the thread with a model,
 * sends batches of pixels and gets their rows back, in order. Everything the thread sends is
 * validated. The thread is where the network runs whenever the bundled thread script is there;
 * from TypeScript sources (unit tests) or where a platform refuses the thread, the session runs
 * on the job's own thread, as fast for the network alone, only not beside the decoding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describeSchemaError } from '../../shared/api/errors';
import { FromInference, type InferenceSetup, type ToInference } from './inferenceProtocol';

export const INFERENCE_THREAD_SCRIPT = 'inference-thread.cjs';

/** Runs batches of photos (inputSize x inputSize RGB bytes, one after another) to their rows. */
export interface BatchRunner {
  readonly engine: string;
  /** Batches it runs at once (one per session). */
  readonly parallel: number;
  /** The batch size the model requires, or null when any goes. */
  readonly fixedBatch: number | null;
  run(pixels: Uint8Array, count: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/** The thread could not be started at all (as opposed to a model it cannot load). */
export class InferenceThreadUnavailable extends Error {}

/** The thread's script beside this bundle, or null when running from sources. */
export function inferenceThreadScript(): string | null {
  const script = path.join(__dirname, INFERENCE_THREAD_SCRIPT);
  return fs.existsSync(script) ? script : null;
}

export function startInferenceThread(script: string, setup: InferenceSetup): Promise<BatchRunner> {
  const thread = new Worker(script, { workerData: setup, stdout: false, stderr: false });
  const pending = new Map<number, { resolve: (rows: Float32Array) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let released: (() => void) | null = null;
  let broken: Error | null = null;
  const failAll = (error: Error) => {
    broken = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  return new Promise<BatchRunner>((resolveReady, rejectReady) => {
    let ready = false;
    thread.on('error', (error) => {
      if (!ready) rejectReady(new InferenceThreadUnavailable(error.message));
      failAll(new Error(`The network's thread stopped: ${error.message}`));
    });
    thread.on('exit', (code) => {
      if (!ready) rejectReady(new InferenceThreadUnavailable(`it exited with code ${code} before it was ready`));
      released?.();
      // Nothing runs after this: batches still waiting, and any sent later, fail.
      failAll(broken ?? new Error(`The network's thread ended (code ${code})${released ? ' (released)' : ''}.`));
    });
    thread.on('message', (raw: unknown) => {
      const parsed = FromInference.safeParse(raw);
      if (!parsed.success) {
        const error = new Error(`The network's thread sent something Graft does not understand: ${describeSchemaError(parsed.error, 'message')}`);
        if (!ready) rejectReady(error);
        failAll(error);
        void thread.terminate();
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case 'ready':
          ready = true;
          resolveReady({
            engine: message.engine,
            parallel: 1,
            fixedBatch: message.fixedBatch,
            run(pixels, count) {
              if (broken) return Promise.reject(broken);
              const id = nextId++;
              return new Promise<Float32Array>((resolve, reject) => {
                pending.set(id, { resolve, reject });
                // The pixels are moved, not copied: the caller hands over a buffer of its own.
                thread.postMessage({ type: 'run', id, pixels, count } satisfies ToInference, [pixels.buffer as ArrayBuffer]);
              });
            },
            release() {
              if (broken) return thread.terminate().then(() => {});
              return new Promise<void>((resolve) => {
                released = resolve;
                thread.postMessage({ type: 'release' } satisfies ToInference);
              });
            },
          });
          break;
        case 'unusable':
          rejectReady(new Error(message.message));
          void thread.terminate();
          break;
        case 'rows':
        case 'failed': {
          const waiting = pending.get(message.id);
          pending.delete(message.id);
          if (message.type === 'rows') waiting?.resolve(message.rows);
          else waiting?.reject(new Error(message.message));
          break;
        }
        case 'released':
          break;
      }
    });
  });
}

/**
 * Several sessions as one runner: each batch goes to the session with the fewest batches to run.
 * On the CPU, two sessions sharing the cores beat one session using every core while photos
 * decode on the same cores: a session whose thread is preempted by a decoder holds up only its
 * own batch, instead of every thread of a parallel step waiting for it.
 */
export function sessionPool(runners: BatchRunner[], engine: string): BatchRunner {
  const busy = runners.map(() => 0);
  return {
    engine,
    parallel: runners.length,
    fixedBatch: runners[0].fixedBatch,
    async run(pixels, count) {
      const index = busy.indexOf(Math.min(...busy));
      busy[index]++;
      try {
        return await runners[index].run(pixels, count);
      } finally {
        busy[index]--;
      }
    },
    async release() {
      await Promise.all(runners.map((r) => r.release()));
    },
  };
}
