// The Slurm array job of deploy/slurm/classify-array.sbatch, run for real on a one-node Slurm
// started here: munged, slurmctld and slurmd with their own configuration, sockets, ports and state
// in --dir (nothing of the system's is used or changed), the array submitted with `sbatch --wait`,
// its shards merged into a project, the daemons stopped. Prints the photos/s of the array and what
// the merge found. Needs Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge) and root
// (slurmd starts the tasks). Never part of npm test.
// Usage: npm run build && node bench/slurm.bench.mjs [--tasks 2] [--model exported-folder] [--dir /tmp/graft-slurm-bench]
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
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
const dir = path.resolve(arg('dir', '/tmp/graft-slurm-bench'));
const tasks = Number(arg('tasks', '2'));
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const cli = path.join(root, 'dist', 'cli.cjs');

const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (missing.length) {
  console.log(`Slurm is not installed here (no ${missing.join(', ')}): apt-get install -y slurm-wlm munge, then run this again.`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.log('This starts slurmd, which must run as root to start the tasks: run it as root.');
  process.exit(0);
}

fs.rmSync(dir, { recursive: true, force: true });
for (const sub of ['munge', 'state', 'spool', 'results']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
const daemons = [];
function stopDaemons() {
  for (const pidFile of daemons.splice(0).reverse()) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
process.on('exit', stopDaemons);
process.on('SIGINT', () => process.exit(130));

const version = execFileSync('slurmctld', ['-V'], { encoding: 'utf8' }).trim();
const started = Date.now();
// munge, on its own socket and key.
const munge = path.join(dir, 'munge');
fs.writeFileSync(path.join(munge, 'munge.key'), crypto.randomBytes(128), { mode: 0o600 });
execFileSync('munged', ['--force', `--socket=${munge}/munge.socket`, `--key-file=${munge}/munge.key`, `--log-file=${munge}/munged.log`, `--pid-file=${munge}/munged.pid`, `--seed-file=${munge}/munged.seed`]);
daemons.push(`${munge}/munged.pid`);
// One node: this machine, its cores, private ports.
const host = os.hostname();
const conf = path.join(dir, 'slurm.conf');
fs.writeFileSync(
  conf,
  [
    'ClusterName=graftbench',
    `SlurmctldHost=${host}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${munge}/munge.socket`,
    'SlurmctldPort=16817',
    'SlurmdPort=16818',
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/slurmctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    // No cgroups in this container: track processes by their parents, bind no CPUs.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'MpiDefault=none',
    'ReturnToService=2',
    `NodeName=${host} CPUs=${os.availableParallelism()} RealMemory=${Math.floor(os.totalmem() / 2 ** 20) - 512} State=UNKNOWN`,
    `PartitionName=bench Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
  ].join('\n') + '\n',
);
const slurmEnv = { ...process.env, SLURM_CONF: conf };
execFileSync('slurmctld', ['-f', conf, '-i'], { env: slurmEnv });
daemons.push(`${dir}/slurmctld.pid`);
execFileSync('slurmd', ['-f', conf], { env: slurmEnv });
daemons.push(`${dir}/slurmd.pid`);
for (let waited = 0; ; waited += 0.5) {
  const state = spawnSync('sinfo', ['-h', '-o', '%T'], { env: slurmEnv, encoding: 'utf8' }).stdout.trim();
  if (state === 'idle') break;
  if (waited > 30) throw new Error(`Slurm did not come up within 30 s (node ${state || 'unknown'}); see ${dir}/slurmctld.log and slurmd.log.`);
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`${version}: one node (${host}, ${os.availableParallelism()} CPUs) up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const env = { ...slurmEnv, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const model = exportedModel({ root, dir, env, given: arg('model') });
const list = path.join(dir, 'photos.txt');
fs.writeFileSync(list, execFileSync('find', [dataset, '-name', '*.jpg'], { encoding: 'utf8' }));
const photos = fs.readFileSync(list, 'utf8').trim().split('\n').length;

// The array, as a user submits it: the script unchanged, one CPU per task.
const results = path.join(dir, 'results');
const submitted = Date.now();
const batch = spawnSync('sbatch', ['--wait', `--array=0-${tasks - 1}`, '--cpus-per-task=1', path.join(root, 'deploy', 'slurm', 'classify-array.sbatch'), list, model, results], {
  cwd: dir,
  env: { ...env, GRAFT: `${process.execPath} ${cli}` },
  encoding: 'utf8',
});
const seconds = (Date.now() - submitted) / 1000;
console.log(`sbatch --array=0-${tasks - 1}: ${batch.stdout.trim()} — exit code ${batch.status}, ${photos} photos in ${seconds.toFixed(1)} s wall = ${(photos / seconds).toFixed(1)} photos/s`);
for (const log of fs.readdirSync(dir).filter((f) => /^graft-classify-.*\.log$/.test(f)).sort()) {
  const said = fs.readFileSync(path.join(dir, log), 'utf8').split('\n').filter((l) => /^(Classifying shard|Shard|\d+ photos found|[\d.]+ s,)/.test(l));
  console.log(`  ${log}: ${said.join(' | ')}`);
}
if (batch.status !== 0) process.exit(1);

const project = path.join(dir, 'merged.graft');
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [cli, '--json', '--no-progress', ...args], { env }).toString());
graft('project', 'create', project);
const merged = graft('results', 'merge', results, '--project', project);
console.log(`merged ${merged.files.length} shard outputs into a project: ${merged.rows} rows, ${merged.added} added, missing ${merged.missing.count}, present twice ${merged.duplicates.count}`);
