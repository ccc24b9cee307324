// Memory benchmark: peak resident memory of `graft import` and `graft classify` (the command and
// its job worker, each) on a corpus of small real photos plus files named .jpg that are not
// photos at all: four of 1 GiB and one of 3 GiB (sparse: no disk space), and 40 of 60 MiB (just
// under the size read whole: the worst case for bytes held in memory). Peaks are read from
// /proc/<pid>/status (VmHWM), sampled every 20 ms, so Linux only.
// Usage: npm run build && node bench/memory.bench.mjs [--dir /tmp/graft-memory-bench] [--photos 200] [--sixty 40]
// (--sixty 0: the corpus of issue 14, the 1 GiB and 3 GiB files only)
// Prints numbers; asserts nothing.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-memory-bench'));
const photos = Number(arg('photos', 200));
const sixty = Number(arg('sixty', 40));
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const cli = path.join(root, 'dist', 'cli.cjs');
const project = path.join(dir, 'memory.graft');
const MiB = 1024 ** 2;

function sparse(file, bytes) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, bytes);
  fs.closeSync(fd);
}

/** Peak resident memory (VmHWM) of a process so far, in bytes; null once it is gone. */
function peak(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function children(pid) {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    return [];
  }
}

/** Runs graft; resolves with its JSON output, seconds, and the peak memory of the command and of its worker. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, '--json', '--no-progress', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const peaks = { command: 0, worker: 0 };
    const sample = setInterval(() => {
      peaks.command = Math.max(peaks.command, peak(child.pid) ?? 0);
      for (const pid of children(child.pid)) peaks.worker = Math.max(peaks.worker, peak(pid) ?? 0);
    }, 20);
    child.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) return reject(new Error(`graft ${args.join(' ')} exited with ${code}`));
      resolve({ result: JSON.parse(out), seconds: (Date.now() - started) / 1000, peaks });
    });
  });
}

const gb = (bytes) => `${(bytes / 1e9).toFixed(2)} GB`;

fs.rmSync(dir, { recursive: true, force: true });
const corpus = path.join(dir, 'corpus');
for (let i = 0; i < photos / 2; i++) {
  const shade = Math.round((200 * i) / photos);
  for (const [label, color] of [
    ['red', { r: 220, g: shade, b: 30 }],
    ['blue', { r: 30, g: shade, b: 220 }],
  ]) {
    fs.mkdirSync(path.join(corpus, label), { recursive: true });
    await sharp({ create: { width: 640, height: 480, channels: 3, background: color } }).jpeg().toFile(path.join(corpus, label, `${label}${i}.jpg`));
  }
}
for (let i = 0; i < 4; i++) sparse(path.join(corpus, 'big', `huge${i}.jpg`), 1024 ** 3);
sparse(path.join(corpus, 'big', 'three-gib.jpg'), 3 * 1024 ** 3);
for (let i = 0; i < sixty; i++) sparse(path.join(corpus, 'sixty', `sixty${i}.jpg`), 60 * MiB);
console.log(`Corpus: ${photos} photos (640x480), four 1 GiB and one 3 GiB files named .jpg, ${sixty} of 60 MiB (sparse).`);

// First, one photo in a throwaway project: the default backbone's one-time conversion to ONNX
// (through TensorFlow.js) is then cached, and the peaks below are the photos' own.
const warm = await measure(['import', path.join(corpus, 'red'), '--project', path.join(dir, 'warm-up.graft')]);
console.log(`warm-up import (converts the backbone to ONNX once): ${warm.seconds.toFixed(1)} s; peak memory: worker ${gb(warm.peaks.worker)}`);
const imported = await measure(['import', corpus, '--project', project, '--folder-labels']);
console.log(
  `import: ${imported.seconds.toFixed(1)} s, ${imported.result.added} photos added, ${imported.result.problems.length} problem files; peak memory: command ${gb(imported.peaks.command)}, worker ${gb(imported.peaks.worker)}`,
);
const again = await measure(['import', corpus, '--project', project, '--folder-labels']);
console.log(`import again (problem files not read again): ${again.seconds.toFixed(1)} s; peak memory: command ${gb(again.peaks.command)}, worker ${gb(again.peaks.worker)}`);
const trained = await measure(['train', '--project', project, '--backbone', 'mobilenet_v2_0.35_224', '--epochs', '5']);
console.log(`train: ${trained.seconds.toFixed(1)} s; peak memory: command ${gb(trained.peaks.command)}, worker ${gb(trained.peaks.worker)}`);
const classified = await measure(['classify', corpus, '--model', String(trained.result.runId), '--project', project]);
console.log(
  `classify: ${classified.seconds.toFixed(1)} s, ${classified.result.classified} classified, ${classified.result.failed} unreadable; peak memory: command ${gb(classified.peaks.command)}, worker ${gb(classified.peaks.worker)}`,
);
fs.rmSync(dir, { recursive: true, force: true });
