/**
 * Jobs under faults: a worker killed from outside, a parent that goes away, a project closed with
 * jobs waiting, a job that fails — each ends in a row that says what happened, and in the log.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/api/jobs';
import { makeSlowFolder, makeTempDir } from '../../../test-support/tempDir';
import { distPath } from '../../node/paths';
import { createProject, type Project } from '../../node/data/project';
import { LOG_FILE_NAME, setLogFolder } from '../../node/log';
import { JobRunner } from './runner';
import { forkWorker, type WorkerHandle } from './workerLauncher';
import { until } from '../../../test-support/until';

let temp: ReturnType<typeof makeTempDir>;
let project: Project;
let updates: Job[];
let workers: WorkerHandle[];
/** Workers a test forks itself: killed afterwards if the behaviour under test failed to end them. */
const forked: ChildProcess[] = [];

const runner = () =>
  new JobRunner({
    store: project.stores.jobs,
    projectPath: project.info.path,
    workerScript: distPath('worker.cjs'),
    launch: (script, env) => {
      const worker = forkWorker(script, env);
      workers.push(worker);
      return worker;
    },
    onUpdate: (job) => updates.push(job),
  });

beforeEach(() => {
  temp = makeTempDir();
  project = createProject(path.join(temp.dir, 'p.graft'));
  updates = [];
  workers = [];
  setLogFolder(path.join(temp.dir, 'logs'));
});
afterEach(() => {
  for (const child of forked.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  setLogFolder(null);
  project.close();
  temp.remove();
});

const logText = () => fs.readFileSync(path.join(temp.dir, 'logs', LOG_FILE_NAME), 'utf8');

describe('jobs under faults', () => {
  it('records a worker killed by a signal as interrupted, naming the signal', async () => {
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } });
    await until(() => updates.some((u) => u.id === job.id && u.state === 'running' && u.progress.done > 0));
    workers[0].kill(); // SIGKILL, from outside the runner's own cancel
    await jobs.whenIdle();
    expect(jobs.get(job.id)).toMatchObject({ state: 'interrupted', error: expect.stringMatching(/stopped by SIGKILL; run it again/) });
    expect(logText()).toMatch(/WARN {2}\[\d+\] Job #\d+ hashFolder “Check files in slow-folder” interrupted after [\d.]+ s: .*SIGKILL/);
  });

  it('cancels the queued jobs of a closing project with the reason, and they never run', async () => {
    const jobs = runner();
    const running = jobs.start({ kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } });
    const queued = jobs.start({ kind: 'hashFolder', params: { folder: temp.dir } });
    await until(() => updates.some((u) => u.id === running.id && u.state === 'running'));
    await jobs.dispose();
    expect(jobs.get(queued.id)).toMatchObject({ state: 'cancelled', error: 'The project was closed before this job started.' });
    expect(jobs.get(running.id).state).toBe('interrupted');
    expect(updates.filter((u) => u.id === queued.id).map((u) => u.state)).not.toContain('running');
    expect(workers).toHaveLength(1);
  });

  it('logs a job’s start, and its failure with the stack from the worker', async () => {
    const jobs = runner();
    const job = jobs.start({ kind: 'hashFolder', params: { folder: path.join(temp.dir, 'missing') } });
    await jobs.whenIdle();
    expect(jobs.get(job.id).state).toBe('failed');
    const text = logText();
    expect(text).toMatch(new RegExp(`INFO  \\[${process.pid}\\] Job #${job.id} hashFolder “Check files in missing” started in .*p\\.graft\\.`));
    // The stack is the worker's: it names the job's own code in the worker bundle.
    expect(text).toMatch(new RegExp(`ERROR \\[${process.pid}\\] Job #${job.id} hashFolder .* failed after [\\d.]+ s: .*missing is not a folder\\.\\n {4}Error: .*\\n {8}at .*hashFolder.*worker\\.cjs`));
  });

  it('a worker stops at once when its parent goes away', async () => {
    const worker = fork(distPath('worker.cjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    forked.push(worker);
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    const progressed = new Promise<void>((resolve) => worker.on('message', (m: { type: string; done?: number }) => m.type === 'progress' && m.done && resolve()));
    const id = project.stores.jobs.insert('hashFolder', 'slow', {}, { done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null }, process.pid);
    worker.send({ type: 'run', jobId: id, projectPath: project.info.path, request: { kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } } });
    await progressed; // hashing 40 GB: it would go on for minutes on its own
    worker.disconnect(); // what the worker sees when its parent is killed
    expect(await exited).toBe(2);
  });
});
