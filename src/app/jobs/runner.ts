/**
 * Runs long work as jobs: each in its own worker process, one at a time, with progress pushed to
 * every listener, cancel, and a row per job in the project's `jobs` table. A job that was queued
 * or running when Graft stopped is shown as interrupted at the next open, and can be run again.
 */
import { jobResults, JobRequest, type Job, type JobProgress, type JobState } from '../../shared/api/contract';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { jobTitle } from '../../shared/jobs/jobTitles';
import { progressRate, secondsLeft } from '../../shared/progress';
import { FromWorker, type ToWorker } from '../../shared/jobs/workerProtocol';
import type { Sqlite } from '../../node/data/sqlite';
import type { LaunchWorker, WorkerHandle } from './workerLauncher';

/** How long a worker may take to stop after a cancel before it is killed. */
const CANCEL_GRACE_MS = 5000;
/** Progress is pushed live but written to the project at most this often. */
const PROGRESS_WRITE_INTERVAL_MS = 1000;

interface JobRow {
  id: number;
  kind: string;
  title: string;
  params: string;
  state: JobState;
  progress: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  result: string | null;
}

interface RunningJob {
  job: Job;
  worker: WorkerHandle;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
  lastWrite: number;
  /** When the current stage (the unit being counted, from zero) began: rates and time left are per stage. */
  stage: { unit: string; startedMs: number };
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

function fromRow(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    params: JSON.parse(row.params) as Record<string, unknown>,
    state: row.state,
    progress: JSON.parse(row.progress) as JobProgress,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
  };
}

export interface JobRunnerOptions {
  db: Sqlite;
  projectPath: string;
  workerScript: string;
  launch: LaunchWorker;
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
    const orphans = (options.db.prepare(`SELECT id, owner_pid AS ownerPid FROM jobs WHERE state IN ('queued', 'running')`).all() as { id: number; ownerPid: number | null }[]).filter(
      (job) => job.ownerPid === null || !processIsAlive(job.ownerPid),
    );
    const interrupt = options.db.prepare(`UPDATE jobs SET state = 'interrupted', finished_at = ?, error = 'Graft stopped before this job finished.' WHERE id = ?`);
    const now = new Date().toISOString();
    for (const job of orphans) interrupt.run(now, job.id);
  }

  list(limit = 50): Job[] {
    const rows = this.options.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[];
    return rows.map((row) => (this.running?.job.id === row.id ? this.running.job : fromRow(row)));
  }

  get(id: number): Job {
    if (this.running?.job.id === id) return this.running.job;
    return this.read(id);
  }

  private read(id: number): Job {
    const row = this.options.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new GraftError('not_found', `There is no job ${id} in this project.`);
    return fromRow(row);
  }

  start(request: JobRequest): Job {
    if (this.disposed) throw new GraftError('no_project', 'The project is closing.');
    const now = new Date().toISOString();
    const info = this.options.db
      .prepare(`INSERT INTO jobs (kind, title, params, state, progress, created_at, owner_pid) VALUES (?, ?, ?, 'queued', ?, ?, ?)`)
      .run(request.kind, jobTitle(request), JSON.stringify(request.params), JSON.stringify(idleProgress('Waiting to start')), now, process.pid);
    const job = this.get(Number(info.lastInsertRowid));
    this.options.onUpdate(job);
    this.pump();
    return this.get(job.id);
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
    if (job.state === 'queued') {
      return this.finish(job, 'cancelled', { error: null, result: null });
    }
    if (job.state !== 'running' || !this.running) return job;
    this.requestStop(this.running);
    return this.running.job;
  }

  /** Resolves once nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && !this.nextQueued()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting work and stops the running job. Its row says "interrupted", as it would
   * after a crash, so that it can be run again when the project is next opened.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
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

  private nextQueued(): Job | null {
    const row = this.options.db.prepare(`SELECT * FROM jobs WHERE state = 'queued' AND owner_pid = ? ORDER BY id LIMIT 1`).get(process.pid) as JobRow | undefined;
    return row ? fromRow(row) : null;
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const next = this.nextQueued();
    if (!next) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const request = JobRequest.parse({ kind: next.kind, params: next.params });
    const startedAt = new Date();
    this.options.db
      .prepare(`UPDATE jobs SET state = 'running', started_at = ?, progress = ? WHERE id = ?`)
      .run(startedAt.toISOString(), JSON.stringify(idleProgress('Starting')), next.id);

    const worker = this.options.launch(this.options.workerScript, { ...process.env });
    const running: RunningJob = { job: this.get(next.id), worker, cancelRequested: false, lastWrite: 0, stage: { unit: '', startedMs: startedAt.getTime() } };
    this.running = running;
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
        const result = jobResults[request.kind].safeParse(m.result);
        if (result.success) this.finish(running.job, 'done', { error: null, result: result.data });
        else this.finish(running.job, 'failed', { error: `The job's result was malformed: ${describeSchemaError(result.error, 'result')}`, result: null });
      } else if (m.type === 'failed') {
        this.finish(running.job, 'failed', { error: m.message, result: null });
      } else {
        this.finish(running.job, 'cancelled', { error: null, result: null });
      }
    });
    worker.onExit((code) => {
      clearTimeout(running.killTimer);
      if (!settled) {
        if (this.disposed) this.finish(running.job, 'interrupted', { error: 'The project was closed before this job finished.', result: null });
        else if (running.cancelRequested) this.finish(running.job, 'cancelled', { error: null, result: null });
        else this.finish(running.job, 'failed', { error: `The worker process stopped unexpectedly (exit code ${code ?? 'none'}).`, result: null });
      }
      if (this.running === running) this.running = null;
      if (this.disposed) for (const resolve of this.idleWaiters.splice(0)) resolve();
      else this.pump();
    });
    worker.send({ type: 'run', jobId: next.id, projectPath: this.options.projectPath, request } satisfies ToWorker);
  }

  private onProgress(running: RunningJob, m: Extract<FromWorker, { type: 'progress' }>): void {
    if (running.cancelRequested) return;
    // A new unit, or a count starting over (a second training stage), is a new stage.
    if (m.unit !== running.stage.unit || m.done < running.job.progress.done) running.stage = { unit: m.unit, startedMs: Date.now() };
    const rate = progressRate(m.done, (Date.now() - running.stage.startedMs) / 1000);
    running.job = {
      ...running.job,
      progress: { done: m.done, total: m.total, unit: m.unit, message: m.message, metrics: m.metrics, rate, etaSeconds: secondsLeft(m.done, m.total, rate) },
    };
    if (Date.now() - running.lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
      running.lastWrite = Date.now();
      this.options.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(running.job.progress), running.job.id);
    }
    this.options.onUpdate(running.job);
  }

  private finish(job: Job, state: JobState, outcome: { error: string | null; result: unknown }): Job {
    const progress: JobProgress = {
      ...job.progress,
      rate: null,
      etaSeconds: null,
      message: { done: 'Finished', failed: 'Failed', cancelled: 'Cancelled', interrupted: 'Interrupted', queued: '', running: '' }[state],
    };
    this.options.db
      .prepare('UPDATE jobs SET state = ?, finished_at = ?, error = ?, result = ?, progress = ? WHERE id = ?')
      .run(state, new Date().toISOString(), outcome.error, outcome.result === null ? null : JSON.stringify(outcome.result), JSON.stringify(progress), job.id);
    const finished = this.read(job.id);
    if (this.running?.job.id === job.id) this.running.job = finished;
    this.options.onUpdate(finished);
    return finished;
  }
}
