// Sharded classification on this machine: the 3000 photos of ../shared/datasets/cats_and_dogs
// classified by N = 1 and N = 2 `graft classify --shard K/N` processes side by side (as array tasks
// would be), then the shards merged into a project. Prints photos/s for each N (wall clock, all
// shards together), the same with one onnxruntime thread per shard, and the merge's rows/s.
// Usage: npm run build && node bench/shards.bench.mjs [--model exported-folder] [--counts 1,2] [--dir /tmp/graft-shards-bench]
// Prints numbers; asserts nothing. This machine is shared: expect noise of 10-20 %.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportedModel } from './exportedModel.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-shards-bench'));
const counts = arg('counts', '1,2').split(',').map(Number);
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const cli = path.join(root, 'dist', 'cli.cjs');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
for (const name of Object.keys(env)) if (/^(SLURM_|AWS_BATCH_|JOB_COMPLETION_INDEX$|GRAFT_SHARD_COUNT$)/.test(name)) delete env[name];

function graft(args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--json', '--no-progress', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`graft ${args.join(' ')} exited with ${code}: ${err}`))));
  });
}

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const model = exportedModel({ root, dir, env, given: arg('model') });

// Read every photo once, so that every run below finds them in the page cache alike.
const files = execFileSync('find', [dataset, '-name', '*.jpg'], { encoding: 'utf8' }).trim().split('\n');
let bytes = 0;
for (const f of files) bytes += fs.readFileSync(f).length;
console.log(`${files.length} photos, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / files.length / 1e3).toFixed(1)} kB each on average); ${os.availableParallelism()} cores`);

async function run(count, threads) {
  const out = path.join(dir, `n${count}${threads ? `-t${threads}` : ''}`) + path.sep;
  const started = Date.now();
  const shards = await Promise.all(
    Array.from({ length: count }, (_, k) =>
      graft(['classify', dataset, '--model', model, '--shard', `${k}/${count}`, '--out', out], { GRAFT_HOME: path.join(dir, `home-${count}-${k}`), ...(threads ? { GRAFT_THREADS: String(threads) } : {}) }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const photos = shards.reduce((sum, s) => sum + s.found, 0);
  const each = shards.map((s) => `${s.photosPerSecond.toFixed(1)}`).join(' + ');
  console.log(
    `N = ${count}${threads ? `, ${threads} onnxruntime thread${threads > 1 ? 's' : ''} per shard` : ''}: ${photos} photos in ${seconds.toFixed(1)} s wall = ${(photos / seconds).toFixed(1)} photos/s ` +
      `(per shard, classifying only: ${each} photos/s; ${shards[0].engine.split(';')[0]})`,
  );
  return { out, photos, seconds };
}

const results = [];
for (const count of counts) results.push(await run(count));
if (counts.includes(2)) await run(2, 1);

// Merging is the other half of the work: the shards' rows into one project.
const last = results.at(-1);
const project = path.join(dir, 'merged.graft');
await graft(['project', 'create', project]);
const started = Date.now();
const merged = await graft(['results', 'merge', last.out, '--project', project]);
const seconds = (Date.now() - started) / 1000;
console.log(`merge of ${merged.files.length} shard outputs: ${merged.rows} rows in ${seconds.toFixed(1)} s including the CLI's start (${merged.seconds.toFixed(1)} s in the job) = ${(merged.rows / merged.seconds).toFixed(0)} rows/s; missing ${merged.missing.count}, present twice ${merged.duplicates.count}`);
const one = results.find((_, i) => counts[i] === 1);
if (one) console.log(`per core: ${(one.photos / one.seconds / os.availableParallelism()).toFixed(1)} photos/s (N = 1 over ${os.availableParallelism()} cores)`);
