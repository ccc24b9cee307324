/**
 * Classifying as array tasks, end to end through the built `graft` command (dist/cli.cjs): a model
 * is trained and exported by one project, four shards classify a few hundred photos as separate
 * processes — each told its shard the way its batch engine would tell it — one is killed with
 * SIGKILL half-way and run again, and the four outputs are merged into another project. Every
 * photo must be there exactly once, with the results a single unsharded run gives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../test-support/imageFixtures';
import { makeTempDir } from '../../test-support/tempDir';
import { useTestModels } from '../../test-support/testModels';
import type { ClassifiedPhoto, ClassifyToFileResult, MergeResultsResult } from '../shared/api/classify';
import type { ShardManifest, ShardRow } from '../shared/shardOutput';

const cli = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.cjs');
const PHOTOS = 240;
const SHARDS = 4;
/** The shard killed half-way: told its index by Slurm, as task 2 of an array numbered from 1. */
const KILLED = 1;

let temp: ReturnType<typeof makeTempDir>;
let library: string;
let model: string;
let baseEnv: NodeJS.ProcessEnv;

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs graft in its own process (group), with its own data folder, as a separate machine would. */
function graft(args: string[], env: NodeJS.ProcessEnv = {}, home = 'home', onStart?: (child: ChildProcess) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--no-progress', ...args], { env: { ...baseEnv, GRAFT_HOME: path.join(temp.dir, home), ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}

async function graftJson<T>(args: string[], env: NodeJS.ProcessEnv = {}, home = 'home'): Promise<T> {
  const ran = await graft(['--json', ...args], env, home);
  if (ran.code !== 0) throw new Error(`graft ${args.join(' ')} exited with ${ran.code ?? ran.signal}: ${ran.stderr}`);
  return JSON.parse(ran.stdout) as T;
}

const rowsOf = (file: string): ShardRow[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.endsWith('}'))
        .map((line) => JSON.parse(line) as ShardRow)
    : [];
const manifestOf = (file: string) => JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8')) as ShardManifest;

/** How each shard learns which it is: a flag, or the variables of Slurm, Kubernetes and AWS Batch. */
const SHARD_ENVIRONMENTS: { args: string[]; env: NodeJS.ProcessEnv; says: RegExp }[] = [
  { args: ['--shard', `0/${SHARDS}`], env: {}, says: /Classifying shard 0\/4 \(--shard 0\/4\)/ },
  {
    args: [],
    env: { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_STEP: '1' },
    says: /Classifying shard 1\/4 \(Slurm: SLURM_ARRAY_TASK_ID=2 − SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4\)/,
  },
  { args: [], env: { JOB_COMPLETION_INDEX: '2', GRAFT_SHARD_COUNT: '4' }, says: /Classifying shard 2\/4 \(Kubernetes: JOB_COMPLETION_INDEX=2, GRAFT_SHARD_COUNT=4\)/ },
  { args: [], env: { AWS_BATCH_JOB_ARRAY_INDEX: '3', AWS_BATCH_JOB_ARRAY_SIZE: '4' }, says: /Classifying shard 3\/4 \(AWS Batch: AWS_BATCH_JOB_ARRAY_INDEX=3, AWS_BATCH_JOB_ARRAY_SIZE=4\)/ },
];

beforeAll(async () => {
  temp = makeTempDir('graft-shards-');
  // The test's own shard is never the engine's: none of the engines' variables leak in.
  baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM_|AWS_BATCH_|JOB_COMPLETION_INDEX$|GRAFT_SHARD_COUNT$|GRAFT_HOME$)/.test(k)));
  baseEnv.GRAFT_MODELS_DIR = await useTestModels(['mobilenet_v2_0.35_224']);
  // A tiny project learns reddish from bluish photos on MobileNetV2 0.35, and exports its model.
  const labelled = path.join(temp.dir, 'labelled');
  for (let i = 0; i < 12; i++) {
    await writeJpeg(path.join(labelled, 'red', `r${i}.jpg`), { r: 230 - i * 4, g: 20 + i * 6, b: 40 });
    await writeJpeg(path.join(labelled, 'blue', `b${i}.jpg`), { r: 40, g: 20 + i * 6, b: 230 - i * 4 });
  }
  const trainer = path.join(temp.dir, 'trainer.graft');
  await graftJson(['import', labelled, '--project', trainer, '--folder-labels']);
  await graftJson(['train', '--project', trainer, '--backbone', 'mobilenet_v2_0.35', '--epochs', '20']);
  model = path.join(temp.dir, 'model');
  await graftJson(['export', '--project', trainer, '--out', model]);
  // The library: a few hundred small photos of every hue, in nested folders.
  library = path.join(temp.dir, 'library');
  const writes: Promise<void>[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const t = i / PHOTOS;
    writes.push(writeJpeg(path.join(library, `roll-${i % 5}`, `day-${i % 3}`, `IMG_${String(i).padStart(4, '0')}.jpg`), { r: Math.round(255 * t), g: (i * 37) % 200, b: Math.round(255 * (1 - t)) }, 32));
  }
  await Promise.all(writes);
}, 180_000);
afterAll(() => temp?.remove());

describe('graft classify as array tasks, then graft results merge', () => {
  it('gives every photo exactly once, the results of one unsharded run, with a shard killed half-way and run again', async () => {
    const single = path.join(temp.dir, 'single.jsonl');
    const out = path.join(temp.dir, 'shards') + path.sep;
    const shardArgs = (k: number) => ['classify', library, '--model', model, '--out', out, ...SHARD_ENVIRONMENTS[k].args];
    const killedFile = path.join(out, `shard-${KILLED}-of-${SHARDS}.jsonl`);

    // The unsharded run and the four shards run side by side, each its own process with its own data folder.
    const killHalfWay = () =>
      graft(shardArgs(KILLED), SHARD_ENVIRONMENTS[KILLED].env, `home-${KILLED}`, (child) => {
        const poll = setInterval(() => {
          if (rowsOf(killedFile).length < 16) return;
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGKILL'); // the task and its job worker, as a preempted node
        }, 5);
        child.on('close', () => clearInterval(poll));
      });
    const others = [0, 2, 3].map((k) => graft(shardArgs(k), SHARD_ENVIRONMENTS[k].env, `home-${k}`));
    const [unsharded, firstKill, ...finished] = await Promise.all([graftJson<ClassifyToFileResult>(['classify', library, '--model', model, '--out', single]), killHalfWay(), ...others]);
    let stopped = firstKill;
    // A machine busy enough to starve this process may let the shard finish before the kill: start it afresh.
    for (let attempt = 1; stopped.signal !== 'SIGKILL' && attempt < 3; attempt++) {
      for (const file of [killedFile, `${killedFile}.manifest.json`]) fs.rmSync(file);
      stopped = await killHalfWay();
    }
    expect(unsharded).toMatchObject({ found: PHOTOS, classified: PHOTOS, failed: 0 });

    for (const [i, ran] of finished.entries()) {
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).toMatch(SHARD_ENVIRONMENTS[[0, 2, 3][i]].says);
    }
    // The killed shard left part of its photos and a manifest saying it did not finish.
    expect(stopped.signal).toBe('SIGKILL');
    const before = rowsOf(killedFile).length;
    const manifest = manifestOf(killedFile);
    expect(manifest).toMatchObject({ complete: false, shard: { index: KILLED, count: SHARDS, source: 'slurm' }, listingTotal: PHOTOS });
    expect(before).toBeGreaterThanOrEqual(16);
    expect(before).toBeLessThan(manifest.photos);

    // Run again, the same command: it resumes.
    const rerun = await graft(['--json', ...shardArgs(KILLED)], SHARD_ENVIRONMENTS[KILLED].env, `home-${KILLED}`);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(SHARD_ENVIRONMENTS[KILLED].says);
    const resumed = JSON.parse(rerun.stdout) as ClassifyToFileResult;
    expect(resumed).toMatchObject({ resumed: before, unchanged: before, classified: manifest.photos - before, shard: { index: KILLED, count: SHARDS, source: 'slurm' } });
    expect(manifestOf(killedFile)).toMatchObject({ complete: true, rows: manifest.photos });

    // The shards partition the photos: each in exactly one.
    const shardFiles = fs.readdirSync(out).filter((f) => f.endsWith('.jsonl')).sort();
    expect(shardFiles).toEqual(Array.from({ length: SHARDS }, (_, k) => `shard-${k}-of-${SHARDS}.jsonl`));
    const sharded = shardFiles.flatMap((f) => rowsOf(path.join(out, f)).map((r) => r.path));
    expect(sharded.length).toBe(PHOTOS);
    expect(new Set(sharded).size).toBe(PHOTOS);

    // Merged into a project: every photo once, the same results as the unsharded run.
    const project = path.join(temp.dir, 'archive.graft');
    await graftJson(['project', 'create', project]);
    const merged = await graftJson<MergeResultsResult>(['results', 'merge', out, '--project', project]);
    expect(merged).toMatchObject({ rows: PHOTOS, added: PHOTOS, duplicates: { count: 0 }, missing: { count: 0, exact: true }, malformed: [] });
    const again = await graftJson<MergeResultsResult>(['results', 'merge', ...shardFiles.map((f) => path.join(out, f)), '--project', project]);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: PHOTOS });

    const inProject = await graftJson<ClassifiedPhoto[]>(['results', '--project', project, '--min-confidence', '0']);
    expect(inProject.length).toBe(PHOTOS);
    const reference = new Map(rowsOf(single).map((r) => [r.path, r]));
    expect(reference.size).toBe(PHOTOS);
    for (const photo of inProject) {
      const expected = reference.get(photo.path)!;
      expect({ path: photo.path, label: photo.label, top: photo.top, hash: photo.hash }).toEqual({ path: expected.path, label: expected.class, top: expected.top, hash: expected.hash });
    }
  }, 150_000);
});
