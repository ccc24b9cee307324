/**
 * Entry of a job's worker process: a Node child (child_process.fork) or an Electron
 * utilityProcess. It runs exactly one job and exits, so a crash or a leak in one job cannot
 * harm the app or the next job.
 */
import type { JobRequest } from '../shared/api/contract';
import { describeSchemaError } from '../shared/api/errors';
import { ToWorker, type FromWorker } from '../shared/jobs/workerProtocol';
import { classify } from './jobs/classify';
import { classifyAction } from './jobs/classifyAction';
import { downloadBackbone } from './jobs/downloadBackbone';
import { exportModel } from './jobs/exportModel';
import { importBackboneJob } from './ml/importBackbone';
import { hashFolder } from './jobs/hashFolder';
import { importPhotos } from './jobs/importPhotos';
import { suggest } from './jobs/suggest';
import { train } from './jobs/train';
import { JobCancelled, type JobContext } from '../shared/jobs/jobContext';

interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
}

// Electron's utilityProcess gives process.parentPort (messages wrapped in { data });
// child_process.fork gives process.send.
const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: FromWorker): void => {
  if (electronPort) electronPort.postMessage(message);
  else process.send?.(message);
};
/** Sends the last message and exits once it has left this process. */
const sendAndExit = (message: FromWorker, code = 0): void => {
  if (electronPort) {
    electronPort.postMessage(message);
    setTimeout(() => process.exit(code), 50);
  } else {
    process.send?.(message, () => process.exit(code));
  }
};
const onMessage = (listener: (message: unknown) => void): void => {
  if (electronPort) electronPort.on('message', (event) => listener((event as { data: unknown }).data));
  else process.on('message', listener);
};

const PROGRESS_INTERVAL_MS = 100;
const abort = new AbortController();
let lastProgress = 0;

const context: JobContext = {
  signal: abort.signal,
  progress(done, total, unit, message, metrics) {
    const now = Date.now();
    // Steps that carry metrics (epochs) are always sent: a chart must not miss points.
    if (now - lastProgress < PROGRESS_INTERVAL_MS && done !== total && !metrics) return;
    lastProgress = now;
    send({ type: 'progress', done, total, unit, message, metrics });
  },
};

function run(request: JobRequest, projectPath: string, jobId: number): Promise<unknown> {
  switch (request.kind) {
    case 'hashFolder':
      return hashFolder(request.params, context);
    case 'import':
      return importPhotos(request.params, projectPath, context);
    case 'train':
      return train(request.params, projectPath, jobId, context);
    case 'suggest':
      return suggest(request.params, projectPath, context);
    case 'downloadBackbone':
      return downloadBackbone(request.params, context);
    case 'importBackbone':
      return importBackboneJob(request.params);
    case 'classify':
      return classify(request.params, projectPath, context);
    case 'classifyAction':
      return Promise.resolve().then(() => classifyAction(request.params, projectPath, context));
    case 'exportModel':
      return exportModel(request.params, projectPath, context);
  }
}

let started = false;
onMessage((raw) => {
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
      if (error instanceof JobCancelled || abort.signal.aborted) sendAndExit({ type: 'cancelled' });
      else sendAndExit({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    },
  );
});
