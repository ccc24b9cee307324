import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HashFolderResult } from '../../shared/api/library';
import type { Job } from '../../shared/api/jobs';
import { makeSlowFolder, makeTempDir } from '../../../test-support/tempDir';
import { distPath } from '../../node/paths';
import { createProject, openProject, type Project } from '../../node/data/project';
import { JobRunner } from './runner';
import { forkWorker } from './workerLauncher';
import { until } from '../../../test-support/until';

let temp: ReturnType<typeof makeTempDir>;
const progress = { done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null };
/** A process id above Linux's default pid_max: no process has it. */
const DEAD_PID = 2 ** 22 + 12345;
let project: Project;
let updates: Job[];

const runner = () =>
  new JobRunner({ store: project.stores.jobs, projectPath: project.info.path, workerScript: distPath('worker.cjs'), launch: forkWorker, onUpdate: (job) => updates.push(job) });

beforeEach(() => {
  temp = makeTempDir();
  project = createProject(path.join(temp.dir, 'p.graft'));
  updates = [];
});
afterEach(() => {
  project.close();
  temp.remove();
});

describe('JobRunner', () => {
  it('runs a job in a worker process and records its result', async () => {
    const folder = path.join(temp.dir, 'photos');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'a.jpg'), 'same bytes');
    fs.writeFileSync(path.join(folder, 'sub', 'copy-of-a.jpg'), 'same bytes');
    fs.writeFileSync(path.join(folder, 'b.jpg'), 'other bytes');
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder } });
    await jobs.whenIdle();

    const done = jobs.get(job.id);
    expect(done.state).toBe('done');
    const result = done.result as HashFolderResult;
    expect(result.files).toBe(3);
    expect(result.duplicateGroups).toEqual([['a.jpg', path.join('sub', 'copy-of-a.jpg')]]);
    expect(updates.map((u) => u.state)).toEqual(expect.arrayContaining(['queued', 'running', 'done']));
  });

  it('reports a failure with its reason', async () => {
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder: path.join(temp.dir, 'missing') } });
    await jobs.whenIdle();
    expect(jobs.get(job.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/is not a folder/) });
  });

  it('shows progress while running and stops when cancelled', async () => {
    const folder = makeSlowFolder(temp.dir);
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder } });
    await until(() => updates.some((u) => u.id === job.id && u.state === 'running' && u.progress.done > 0));
    const progress = updates.filter((u) => u.state === 'running' && u.progress.done > 0).at(-1)!.progress;
    expect(progress.unit).toBe('bytes');
    expect(progress.total).toBeGreaterThan(progress.done);

    jobs.cancel(job.id);
    await jobs.whenIdle();
    // Stopped by the job itself when asked (the cancel signal), not killed after the grace period.
    expect(jobs.get(job.id)).toMatchObject({ state: 'cancelled', error: null });
    expect(jobs.get(job.id).progress.done).toBeLessThan(progress.total!);
  });

  it('runs jobs one at a time, and cancels a queued one without running it', async () => {
    const jobs = runner();
    const slow = jobs.start({ kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } });
    const queued = jobs.start({ kind: 'hashFolder', params: { folder: temp.dir } });
    expect(jobs.get(queued.id).state).toBe('queued');
    expect(jobs.cancel(queued.id).state).toBe('cancelled');
    jobs.cancel(slow.id);
    await jobs.whenIdle();
    expect(updates.filter((u) => u.id === queued.id).map((u) => u.state)).not.toContain('running');
  });

  it('marks a job that was running when Graft stopped as interrupted, and can run it again', async () => {
    const folder = path.join(temp.dir, 'few');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'x.png'), 'x');
    // A process that is gone left it running.
    const id = project.stores.jobs.insert('hashFolder', 't', { folder }, { ...progress, done: 1, total: 5 }, DEAD_PID);
    project.stores.jobs.markRunning(id, { ...progress, done: 1, total: 5 });
    project.close();
    project = openProject(path.join(temp.dir, 'p.graft'));

    const jobs = runner();
    const [interrupted] = jobs.list();
    expect(interrupted.state).toBe('interrupted');
    const again = jobs.retry(interrupted.id);
    await jobs.whenIdle();
    expect(jobs.get(again.id)).toMatchObject({ state: 'done', result: { files: 1 } });
    expect(() => jobs.retry(again.id)).toThrow(/only an interrupted, failed or cancelled job/);
  });

  it('leaves alone a job that another live Graft process is running in the same project', () => {
    const running = (pid: number) => {
      const id = project.stores.jobs.insert('hashFolder', 't', { folder: '/' }, progress, pid);
      project.stores.jobs.markRunning(id, progress);
      return id;
    };
    const alive = running(process.ppid);
    const gone = running(DEAD_PID);
    const jobs = runner();
    expect(jobs.get(alive).state).toBe('running');
    expect(jobs.get(gone).state).toBe('interrupted');
  });

  it('leaves a running job interrupted when the project closes', async () => {
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } });
    await until(() => updates.some((u) => u.id === job.id && u.state === 'running'));
    await jobs.dispose();
    expect(jobs.get(job.id).state).toBe('interrupted');
  });
});
