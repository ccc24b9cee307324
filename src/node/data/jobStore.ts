/**
 * The job log: one row per job, in the project (project jobs) or in the app's own database (jobs
 * that need no project). Rows are decoded into `Job` here, once.
 */
import type { Job, JobProgress, JobState } from '../../shared/api/jobs';
import { GraftError } from '../../shared/api/errors';
import type { Sqlite } from './sqlite';

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

export class JobStore {
  constructor(
    private readonly db: Sqlite,
    readonly scope: Job['scope'],
  ) {}

  private decode(row: JobRow): Job {
    return {
      id: row.id,
      scope: this.scope,
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

  list(limit: number): Job[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map((row) => this.decode(row));
  }

  /** The last job of this kind that finished well, however many jobs came after it; null when none has. */
  latestDone(kind: string): Job | null {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE kind = ? AND state = 'done' ORDER BY id DESC LIMIT 1`).get(kind) as JobRow | undefined;
    return row ? this.decode(row) : null;
  }

  get(id: number): Job {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new GraftError('not_found', `There is no job ${id} ${this.scope === 'project' ? 'in this project' : 'of the app'}.`);
    return this.decode(row);
  }

  /** Jobs left queued or running by processes that are gone: they were interrupted. */
  interruptOrphans(isAlive: (pid: number) => boolean): void {
    const open = this.db.prepare(`SELECT id, owner_pid AS ownerPid FROM jobs WHERE state IN ('queued', 'running')`).all() as { id: number; ownerPid: number | null }[];
    const interrupt = this.db.prepare(`UPDATE jobs SET state = 'interrupted', finished_at = ?, error = 'Graft stopped before this job finished.' WHERE id = ?`);
    const now = new Date().toISOString();
    for (const job of open) if (job.ownerPid === null || !isAlive(job.ownerPid)) interrupt.run(now, job.id);
  }

  insert(kind: string, title: string, params: unknown, progress: JobProgress, ownerPid: number): number {
    const info = this.db
      .prepare(`INSERT INTO jobs (kind, title, params, state, progress, created_at, owner_pid) VALUES (?, ?, ?, 'queued', ?, ?, ?)`)
      .run(kind, title, JSON.stringify(params), JSON.stringify(progress), new Date().toISOString(), ownerPid);
    return Number(info.lastInsertRowid);
  }

  /** The oldest job this process queued, if any. */
  nextQueued(ownerPid: number): Job | null {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE state = 'queued' AND owner_pid = ? ORDER BY id LIMIT 1`).get(ownerPid) as JobRow | undefined;
    return row ? this.decode(row) : null;
  }

  markRunning(id: number, progress: JobProgress): void {
    this.db.prepare(`UPDATE jobs SET state = 'running', started_at = ?, progress = ? WHERE id = ?`).run(new Date().toISOString(), JSON.stringify(progress), id);
  }

  saveProgress(id: number, progress: JobProgress): void {
    this.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
  }

  finish(id: number, state: JobState, outcome: { error: string | null; result: unknown }, progress: JobProgress): Job {
    this.db
      .prepare('UPDATE jobs SET state = ?, finished_at = ?, error = ?, result = ?, progress = ? WHERE id = ?')
      .run(state, new Date().toISOString(), outcome.error, outcome.result === null ? null : JSON.stringify(outcome.result), JSON.stringify(progress), id);
    return this.get(id);
  }
}
