/**
 * Runs jobs one at a time, each in its own worker process, so that long work never blocks the
 * main side and a crash in a job cannot take the app down. Every job is a row (JobStore): queued,
 * running, then done, failed, cancelled or interrupted; progress is pushed to every client live
 * and written to the row about once a second. Messages from the worker are validated: they
 * cross a process boundary.
 */
import type { Job, JobProgress, JobState } from '../../shared/api/jobs';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { JOBS, JobRequest, jobTitle, type JobRequestInput } from '../../shared/jobs/registry';
import { ProgressEstimator } from '../../shared/progress';
import { FromWorker, type ToWorker } from '../../shared/jobs/workerProtocol';
import type { JobStore } from '../../node/data/jobStore';
import { backboneTitle } from '../../node/models/modelStore';
import { log, logInfo, type LogLevel } from '../../node/log';
import type { LaunchWorker, WorkerHandle } from './workerLauncher';

/** How long a worker may take to stop after a cancel before it is killed. */
const CANCEL_GRACE_MS = 5000;
/** Progress is pushed live but written to the row at most this often. */
const PROGRESS_WRITE_INTERVAL_MS = 1000;

interface RunningJob {
  job: Job;
  worker: WorkerHandle;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
  lastWrite: number;
  /** Rate and time left, per stage (the unit being counted, from zero), smoothed. */
  estimator: ProgressEstimator;
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const idleProgress = (message: string): JobProgress => ({ done: 0, total: null, unit: '', message, rate: null, etaSeconds: null });

const LOG_LEVELS: Record<JobState, LogLevel> = { done: 'info', cancelled: 'info', failed: 'error', interrupted: 'warn', queued: 'info', running: 'info' };

const FINISHED_MESSAGES: Record<JobState, string> = { done: 'Finished', failed: 'Failed', cancelled: 'Cancelled', interrupted: 'Interrupted', queued: '', running: '' };

export interface JobRunnerOptions {
  store: JobStore;
  /** The project the jobs work in; null for the app's own jobs (they need none). */
  projectPath: string | null;
  workerScript: string;
  launch: LaunchWorker;
  /** Settings a worker needs, as environment variables, read when each job starts. */
  environment?: () => NodeJS.ProcessEnv;
  onUpdate: (job: Job) => void;
}

export class JobRunner {
  private running: RunningJob | null = null;
  private disposed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: JobRunnerOptions) {
    // Jobs left queued or running by a process that is gone were interrupted. Another Graft
    // process (the app and a CLI command, say) may be running jobs in the same project: its own
    // stay as they are.
    options.store.interruptOrphans(processIsAlive);
  }

  private get store(): JobStore {
    return this.options.store;
  }

  list(limit = 50): Job[] {
    return this.store.list(limit).map((job) => (this.running?.job.id === job.id ? this.running.job : job));
  }

  get(id: number): Job {
    if (this.running?.job.id === id) return this.running.job;
    return this.store.get(id);
  }

  start(input: JobRequestInput): Job {
    if (this.disposed) throw new GraftError('no_project', 'The project is closing.');
    const request = JobRequest.parse(input);
    const id = this.store.insert(request.kind, jobTitle(request, backboneTitle), request.params, idleProgress('Waiting to start'), process.pid);
    this.options.onUpdate(this.store.get(id));
    this.pump();
    return this.get(id);
  }

  retry(id: number): Job {
    const job = this.get(id);
    if (!['interrupted', 'failed', 'cancelled'].includes(job.state)) {
      throw new GraftError('conflict', `Job ${id} is ${job.state}; only an interrupted, failed or cancelled job can be run again.`);
    }
    const request = JobRequest.safeParse({ kind: job.kind, params: job.params });
    if (!request.success) throw new GraftError('conflict', `Job ${id} cannot be run again by this version of Graft.`);
    return this.start(request.data);
  }

  cancel(id: number): Job {
    const job = this.get(id);
    if (job.state === 'queued') return this.finish(job, 'cancelled', { error: null, result: null });
    if (job.state !== 'running' || !this.running) return job;
    this.requestStop(this.running);
    return this.running.job;
  }

  /** Whether a job of this runner is running. */
  busy(): boolean {
    return this.running !== null;
  }

  /** Resolves once nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && !this.store.nextQueued(process.pid)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting work: queued jobs are cancelled with the reason (they must never run later,
   * unannounced), and the running job is stopped; its row says "interrupted", as after a crash,
   * so that it can be run again when the project is next opened.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (let queued = this.store.nextQueued(process.pid); queued; queued = this.store.nextQueued(process.pid)) {
      this.finish(queued, 'cancelled', { error: 'The project was closed before this job started.', result: null });
    }
    const running = this.running;
    if (!running) return;
    const stopped = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    running.cancelRequested = true;
    running.worker.kill();
    await stopped;
  }

  private requestStop(running: RunningJob): void {
    if (running.cancelRequested) return;
    running.cancelRequested = true;
    running.job = { ...running.job, progress: { ...running.job.progress, message: 'Cancelling…' } };
    this.options.onUpdate(running.job);
    running.worker.send({ type: 'cancel' } satisfies ToWorker);
    running.killTimer = setTimeout(() => running.worker.kill(), CANCEL_GRACE_MS);
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const next = this.store.nextQueued(process.pid);
    if (!next) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const request = JobRequest.parse({ kind: next.kind, params: next.params });
    this.store.markRunning(next.id, idleProgress('Starting'));
    const worker = this.options.launch(this.options.workerScript, { ...process.env, ...this.options.environment?.() });
    const running: RunningJob = { job: this.store.get(next.id), worker, cancelRequested: false, lastWrite: 0, estimator: new ProgressEstimator() };
    this.running = running;
    logInfo(`${this.describe(running.job)} started${this.options.projectPath ? ` in ${this.options.projectPath}` : ''}.`);
    this.options.onUpdate(running.job);

    let settled = false;
    worker.onMessage((raw) => {
      const message = FromWorker.safeParse(raw);
      if (!message.success) {
        settled = true;
        worker.kill();
        this.finish(running.job, 'failed', { error: `The worker sent a malformed message: ${describeSchemaError(message.error, 'message')}`, result: null });
        return;
      }
      const m = message.data;
      if (m.type === 'progress') return this.onProgress(running, m);
      settled = true;
      if (m.type === 'done') {
        const result = JOBS[request.kind].result.safeParse(m.result);
        if (result.success) this.finish(running.job, 'done', { error: null, result: result.data });
        else this.finish(running.job, 'failed', { error: `The job's result was malformed: ${describeSchemaError(result.error, 'result')}`, result: null });
      } else if (m.type === 'failed') {
        this.finish(running.job, 'failed', { error: m.message, result: null }, m.stack);
      } else {
        this.finish(running.job, 'cancelled', { error: null, result: null });
      }
    });
    worker.onExit((code, signal) => {
      clearTimeout(running.killTimer);
      if (!settled) {
        if (this.disposed) this.finish(running.job, 'interrupted', { error: 'The project was closed before this job finished.', result: null });
        else if (running.cancelRequested) this.finish(running.job, 'cancelled', { error: `It did not stop within ${CANCEL_GRACE_MS / 1000} s of being asked, so Graft ended its process.`, result: null });
        else if (signal) this.finish(running.job, 'interrupted', { error: `The job's worker process was stopped by ${signal}; run it again to continue.`, result: null });
        else this.finish(running.job, 'failed', { error: `The job's worker process stopped unexpectedly (exit code ${code ?? 'unknown'}).`, result: null });
      }
      if (this.running === running) this.running = null;
      if (this.disposed) for (const resolve of this.idleWaiters.splice(0)) resolve();
      else this.pump();
    });
    worker.send({ type: 'run', jobId: next.id, projectPath: this.options.projectPath, request } satisfies ToWorker);
  }

  private onProgress(running: RunningJob, m: Extract<FromWorker, { type: 'progress' }>): void {
    if (running.cancelRequested) return;
    const { rate, etaSeconds } = running.estimator.update(m.done, m.total, m.unit, Date.now());
    running.job = { ...running.job, progress: { done: m.done, total: m.total, unit: m.unit, message: m.message, epoch: m.epoch, rate, etaSeconds } };
    if (Date.now() - running.lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
      running.lastWrite = Date.now();
      this.store.saveProgress(running.job.id, running.job.progress);
    }
    this.options.onUpdate(running.job);
  }

  /** A job as the log names it. */
  private describe(job: Job): string {
    return `Job ${job.scope === 'app' ? 'app-' : ''}#${job.id} ${job.kind} “${job.title}”`;
  }

  private finish(job: Job, state: JobState, outcome: { error: string | null; result: unknown }, workerStack?: string): Job {
    const progress: JobProgress = { ...job.progress, rate: null, etaSeconds: null, message: FINISHED_MESSAGES[state] };
    const finished = this.store.finish(job.id, state, outcome, progress);
    const seconds = job.startedAt ? ` after ${((Date.now() - Date.parse(job.startedAt)) / 1000).toFixed(1)} s` : '';
    log(LOG_LEVELS[state], `${this.describe(job)} ${state}${seconds}${outcome.error ? `: ${outcome.error}` : '.'}`, workerStack);
    if (this.running?.job.id === job.id) this.running.job = finished;
    this.options.onUpdate(finished);
    return finished;
  }
}
