// Classification benchmark on ../shared/datasets/cats_and_dogs (3000 photos): a model trained in
// one project (MobileNetV1 0.75 + head; trained here unless --model names an exported folder) is
// exported, then classifies the 3000 photos in another project and without a project, each time
// stopped half-way (SIGINT, as Ctrl+C) and run again to finish. Prints photos/s against the goal
// of 50 photos/s, and checks that the results list every photo exactly once.
// Usage: npm run build && node bench/classify.bench.mjs [--model exported-folder] [--dir /tmp/graft-classify-bench]
// Prints numbers; asserts nothing.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-classify-bench'));
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const cli = path.join(root, 'dist', 'cli.cjs');
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [cli, '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26 }).toString());
/** For polling: a failure (nothing classified yet) is expected and not printed. */
const quietly = (...args) => JSON.parse(execFileSync(process.execPath, [cli, '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
const photos = 3000;

/** Runs graft, sends SIGINT once `done()` reaches half the photos; resolves with the exit code and seconds. */
function runAndStopHalfWay(args, done) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, '--json', '--no-progress', ...args], { env, stdio: 'ignore' });
    const poll = setInterval(() => {
      if (done() >= photos / 2) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 200);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const csvPaths = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => (line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.slice(0, line.indexOf(','))))
    : [];
const report = (rows, what) => {
  const unique = new Set(rows).size;
  console.log(`${what}: ${rows.length} rows, ${unique} different photos${rows.length === photos && unique === photos ? ' — every photo exactly once' : ' — NOT every photo exactly once'}`);
};

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
let model = arg('model');
if (!model) {
  const trainingProject = path.join(dir, 'training.graft');
  graft('import', dataset, '--project', trainingProject, '--folder-labels');
  const run = graft('train', '--project', trainingProject, '--backbone', 'mobilenet_v1_0.75');
  console.log(`trained run #${run.runId} in another project: ${(100 * run.evaluation.accuracy).toFixed(1)}% test accuracy`);
  model = path.join(dir, 'exported-model');
  const exported = graft('export', '--project', trainingProject, '--out', model);
  const v = exported.verification;
  console.log(`exported in ${exported.seconds.toFixed(1)} s; on ${v.photos} test photos ONNX gives Graft's class for ${v.onnxAgree}, TensorFlow.js for ${v.tfjsAgree}; largest probability difference ${v.maxDifference.toExponential(1)}`);
}

// In a project that never trained anything.
const project = path.join(dir, 'library.graft');
graft('project', 'create', project);
const stopped = await runAndStopHalfWay(['classify', dataset, '--model', model, '--project', project], () => {
  try {
    return quietly('results', '--project', project).total;
  } catch {
    return 0;
  }
});
const partial = graft('results', '--project', project).total;
console.log(`project: stopped with SIGINT after ${stopped.seconds.toFixed(1)} s (exit code ${stopped.code}), ${partial} photos classified and kept`);
const csv = path.join(dir, 'library.csv');
const resumed = graft('classify', dataset, '--model', model, '--project', project, '--out', csv);
console.log(`project: resumed: ${resumed.classified} classified, ${resumed.unchanged} skipped as done, ${resumed.failed} unreadable; ${resumed.photosPerSecond.toFixed(1)} photos/s (${resumed.engine})`);
report(csvPaths(csv), 'project CSV');

// Without a project: results stream into the CSV, which is also what a second run resumes from.
const streamed = path.join(dir, 'no-project.csv');
const stoppedStream = await runAndStopHalfWay(['classify', dataset, '--model', model, '--out', streamed], () => csvPaths(streamed).length);
console.log(`no project: stopped after ${stoppedStream.seconds.toFixed(1)} s with ${csvPaths(streamed).length} rows written`);
const rest = graft('classify', dataset, '--model', model, '--out', streamed);
console.log(`no project: resumed: ${rest.classified} classified, ${rest.unchanged} already in the file; ${rest.photosPerSecond.toFixed(1)} photos/s`);
report(csvPaths(streamed), 'no-project CSV');

// Throughput from scratch, uninterrupted, on 2 cores: decoding (sharp) and the model (onnxruntime) overlap.
const full = graft('classify', dataset, '--model', model, '--out', path.join(dir, 'full.csv'));
console.log(`uninterrupted: ${full.found} photos in ${full.seconds.toFixed(1)} s = ${full.photosPerSecond.toFixed(1)} photos/s (goal: 50 photos/s or more)`);
