/**
 * kill -9 at random points: the job's worker, or its parent (a `graft` command), during an import,
 * a training and a classification of a small generated photo set, on the real MobileNetV2 0.35.
 * After every kill the project passes `PRAGMA integrity_check`, the labels are as they were, no
 * worker is left running, and in the end a rerun of each command completes with the right counts.
 * Seeded (GRAFT_KILL_SEED=<n> replays the same kill points); bounded to a few kills per phase.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../test-support/imageFixtures';
import { makeTempDir } from '../test-support/tempDir';
import { ownModelsFolder } from './support/browserMode';

const SEED = Number(process.env.GRAFT_KILL_SEED ?? 9);
const PER_CLASS = { train: 40, test: 10 };
const PHOTOS = 2 * (PER_CLASS.train + PER_CLASS.test);
const cli = path.resolve(import.meta.dirname, '..', 'dist', 'cli.cjs');

let temp: ReturnType<typeof makeTempDir>;
let env: NodeJS.ProcessEnv;
let project: string;
let library: string;
let random: () => number;
const landed: string[] = [];

beforeAll(async () => {
  temp = makeTempDir('graft-kill-');
  // Only MobileNetV2 0.35 in the models folder: the import then computes no features (it would
  // for the default backbone), and training computes them with this one.
  const models = await ownModelsFolder(path.join(temp.dir, 'models'), ['mobilenet_v2_0.35_224']);
  env = { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home'), GRAFT_MODELS_DIR: models };
  library = path.join(temp.dir, 'library');
  for (const split of ['train', 'test'] as const) {
    for (let i = 0; i < PER_CLASS[split]; i++) {
      // Every photo different (the same bytes would be one photo with two paths).
      const shade = 20 + i * 4;
      const other = split === 'train' ? 40 : 70;
      await writeJpeg(path.join(library, split, 'red', `r${i}.jpg`), { r: 230 - shade / 3, g: shade, b: other }, 320);
      await writeJpeg(path.join(library, split, 'blue', `b${i}.jpg`), { r: other, g: shade, b: 230 - shade / 3 }, 320);
    }
  }
  project = path.join(temp.dir, 'kill.graft');
  let state = SEED >>> 0;
  random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
});
afterAll(() => {
  console.log(`kill test (seed ${SEED}): ${landed.join('; ')}`);
  temp?.remove();
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function pidsOfChildren(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const started = Date.now();
  while (alive(pid) && !isZombieOfNobody(pid)) {
    if (Date.now() - started > timeoutMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** A process that exited but whose parent was killed is reaped by init; until then it shows as a zombie. */
function isZombieOfNobody(pid: number): boolean {
  try {
    return /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Runs `graft args`; resolves when it ends. */
function graft(args: string[]): { pid: number; started: Promise<void>; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [cli, '--verbose', '--no-progress', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let jobStarted = () => {};
  const started = new Promise<void>((resolve) => (jobStarted = resolve));
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    // The log line the runner writes once the job's worker is launched (seen thanks to --verbose).
    if (/INFO {2}\[\d+\] Job #\d+ \w+ “.*” started/.test(stderr)) jobStarted();
  });
  // 'close', not 'exit': the output is then read to its end.
  const finished = new Promise<Finished>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  void finished.then(() => jobStarted());
  return { pid: child.pid!, started, finished };
}

/** The project as SQLite sees it: integrity, labels (by content hash), jobs left open. */
function inspect(): { integrity: string; labels: Record<string, string | null>; openJobs: number; runs: number; latestRun: number | null; classified: number } {
  const db = new Database(project);
  try {
    const labels = Object.fromEntries(
      (db.prepare('SELECT i.hash, c.name FROM images i LEFT JOIN classes c ON c.id = i.class_id ORDER BY i.hash').all() as { hash: string; name: string | null }[]).map((r) => [r.hash, r.name]),
    );
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      labels,
      openJobs: db.prepare(`SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')`).pluck().get() as number,
      runs: db.prepare('SELECT COUNT(*) FROM runs').pluck().get() as number,
      latestRun: db.prepare('SELECT MAX(id) FROM runs').pluck().get() as number | null,
      classified: db.prepare('SELECT COUNT(*) FROM classified_photos').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

/**
 * Starts the command, waits for its job to start, then kills `target` after a random delay (up
 * to `withinMs`); checks that nothing is left running and the project is sound.
 */
async function killDuring(phase: string, args: string[], target: 'worker' | 'parent', withinMs: number): Promise<void> {
  const run = graft(args);
  await run.started;
  const delay = Math.round(random() * withinMs);
  await new Promise((resolve) => setTimeout(resolve, delay));
  const workers = pidsOfChildren(run.pid);
  const finishedFirst = workers.length === 0;
  if (!finishedFirst) process.kill(target === 'worker' ? workers[0] : run.pid, 'SIGKILL');
  // The command's output closes when every process holding it has ended: its worker's too.
  const end = await Promise.race([run.finished, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${phase}: graft or its worker still running 20 s after the ${target} was killed`)), 20_000))]);
  // A worker killed as it was exiting, its result already sent, leaves a finished job: fine too.
  const doneAnyway = target === 'worker' && end.code === 0 && /Job #\d+ \w+ “.*” done after/.test(end.stderr);
  landed.push(`${phase}: ${finishedFirst || doneAnyway ? 'finished before the kill' : `${target} killed ${delay} ms after the job started`}`);
  if (!finishedFirst && !doneAnyway && target === 'worker') {
    // The command says how its job ended, naming the signal, and exits with an error.
    expect(end.code, end.stderr).toBe(1);
    expect(end.stderr).toMatch(/interrupted: The job's worker process was stopped by SIGKILL/);
  }
  if (!finishedFirst && target === 'parent') expect(end.signal).toBe('SIGKILL');
  // Whatever was killed, no worker is left behind: one whose parent died stops on its own.
  for (const pid of workers) expect(await gone(pid), `worker ${pid} still running after its ${target} was killed`).toBe(true);
  const state = inspect();
  expect(state.integrity).toBe('ok');
}

describe(`kill -9 at random points (seed ${SEED})`, () => {
  let labels: Record<string, string | null>;

  it('import: killed, then rerun to the full library with its folder labels', async () => {
    const args = ['import', library, '--project', project, '--folder-labels'];
    await killDuring('import', args, 'worker', 1500);
    await killDuring('import', args, 'parent', 1500);
    const rerun = await graft(['--json', ...args]).finished;
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as { found: number; problems: unknown[]; library: { images: number; unlabelled: number; splits: Record<string, number> } };
    expect(result).toMatchObject({ found: PHOTOS, problems: [], library: { images: PHOTOS, unlabelled: 0, splits: { test: 2 * PER_CLASS.test } } });
    // A label of the user's own, which later kills must not lose.
    const relabelled = await graft(['label', 'blue', path.join(library, 'train', 'red', 'r0.jpg'), '--project', project]).finished;
    expect(relabelled.code, relabelled.stderr).toBe(0);
    labels = inspect().labels;
    expect(Object.values(labels).filter((l) => l === 'blue')).toHaveLength(PHOTOS / 2 + 1);
  }, 60_000);

  it('train: killed, labels intact, no half-written run; then a rerun records one run', async () => {
    const args = ['train', '--project', project, '--backbone', 'mobilenet_v2_0.35_224', '--epochs', '8'];
    await killDuring('train', args, 'worker', 4000);
    await killDuring('train', args, 'parent', 4000);
    const before = inspect();
    expect(before.labels).toEqual(labels);
    const rerun = await graft(['--json', ...args]).finished;
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as { runId: number; photos: { train: number; earlyStopping: number; test: number } };
    expect(result.photos.train + result.photos.earlyStopping + result.photos.test).toBe(PHOTOS);
    expect(inspect().runs).toBe(before.runs + 1);
  }, 90_000);

  it('classify: killed, then resumed to every photo exactly once; no job left open', async () => {
    const run = inspect().latestRun;
    expect(run).not.toBeNull();
    const args = ['classify', library, '--model', String(run), '--project', project];
    await killDuring('classify', args, 'worker', 3000);
    await killDuring('classify', args, 'parent', 3000);
    const rerun = await graft(['--json', ...args]).finished;
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout) as { found: number; classified: number; reused: number; unchanged: number; failed: number };
    expect(result.found).toBe(PHOTOS);
    expect(result.classified + result.reused + result.unchanged).toBe(PHOTOS);
    expect(result.failed).toBe(0);
    const after = inspect();
    expect(after.classified).toBe(PHOTOS);
    expect(after.labels).toEqual(labels);
    // Jobs whose command was killed are marked interrupted by the next command that opened the project.
    expect(after.openJobs).toBe(0);
  }, 90_000);
});
