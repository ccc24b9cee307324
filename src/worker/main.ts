/**
 * Entry of a job's worker process: a Node child (child_process.fork) or an Electron
 * utilityProcess. It runs exactly one job and exits, so a crash or a leak in one job cannot harm
 * the app or the next job. It may be started ahead of time (warm): it loads its code, then waits.
 */
import sharp from 'sharp';
import { describeSchemaError } from '../shared/api/errors';
import type { JobContext } from '../shared/jobs/jobContext';
import { JOBS, type JobKind, type JobRequest } from '../shared/jobs/registry';
import { ToWorker, type FromWorker } from '../shared/jobs/workerProtocol';
import { openProjectDatabase } from '../node/data/project';
import { JOB_ENTRIES } from './jobs/index';
import { onParentMessage, sendAndExit as sendLastToParent, sendToParent } from './parentChannel';

// A job decodes many photos at once (the photo pipeline keeps dozens in flight), so each photo gets
// one libvips thread rather than one per core: fewer thread hand-offs, and an import of 3000 photos
// measured 7–11 % faster (bench/speed.bench.mjs).
sharp.concurrency(1);

const send = (message: FromWorker): void => sendToParent(message);
const sendAndExit = (message: FromWorker, code = 0): void => sendLastToParent(message, code);
// The parent went away (killed, crashed): nobody will read this job's result, and its rows are
// marked interrupted by the next Graft that opens the project. Stop at once.
process.on('disconnect', () => process.exit(2));

const failure = (error: unknown): FromWorker => ({ type: 'failed', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
// A throw nobody caught (in a callback, a stream) fails the job with its stack rather than
// ending the process with an exit code that says nothing.
process.on('uncaughtException', (error) => sendAndExit(failure(error), 1));

const PROGRESS_INTERVAL_MS = 100;
const abort = new AbortController();
let lastProgress = 0;

const context: JobContext = {
  signal: abort.signal,
  progress(done, total, unit, message, epoch) {
    const now = Date.now();
    // Steps that carry an epoch are always sent: a chart must not miss points.
    if (now - lastProgress < PROGRESS_INTERVAL_MS && done !== total && !epoch) return;
    lastProgress = now;
    send({ type: 'progress', done, total, unit, message, epoch });
  },
};

async function run(request: JobRequest, projectPath: string | null, jobId: number): Promise<unknown> {
  const entry = JOB_ENTRIES[request.kind] as (params: unknown, env: unknown) => Promise<unknown>;
  if (JOBS[request.kind as JobKind].scope === 'app') return entry(request.params, { ...context, jobId });
  if (!projectPath) throw new Error(`A ${request.kind} job needs an open project.`);
  const { db, stores } = openProjectDatabase(projectPath);
  try {
    return await entry(request.params, { ...context, jobId, project: { path: projectPath, stores } });
  } finally {
    db.close();
  }
}

let started = false;
onParentMessage((raw) => {
  const message = ToWorker.safeParse(raw);
  if (!message.success) {
    sendAndExit({ type: 'failed', message: `Malformed message to the worker: ${describeSchemaError(message.error, 'message')}` }, 1);
    return;
  }
  if (message.data.type === 'cancel') {
    abort.abort();
    return;
  }
  if (started) return;
  started = true;
  run(message.data.request, message.data.projectPath, message.data.jobId).then(
    (result) => sendAndExit({ type: 'done', result }),
    (error: unknown) => {
      if (abort.signal.aborted) sendAndExit({ type: 'cancelled' });
      else sendAndExit(failure(error));
    },
  );
});
