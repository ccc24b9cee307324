// ONNX import, end to end through the `graft` command on ../shared/datasets/cats_and_dogs (train
// 2000; its validation 1000 measure the model): trains on the catalogue's MobileNetV2 0.35, exports
// the run, imports the exported model.onnx as a backbone (an ONNX file Graft did not write the
// backbone of: its features are the input of its last Gemm), trains on it, and prints both runs'
// accuracy and feature time. The two must give the same accuracy: they compute the same features.
// Usage: npm run build && node bench/onnxImport.bench.mjs [--dir /tmp/graft-onnx-bench]
// Prints numbers; asserts nothing. Backbones are copied from ../shared/models (GRAFT_MODELS_DIR),
// never written there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-onnx-bench'));
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const shared = process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models');
const backbone = 'mobilenet_v2_0.35_224';
const project = path.join(dir, 'cats_and_dogs.graft');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: path.join(dir, 'models') };
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
const describe = (run) =>
  `${run.backbone}: accuracy ${(100 * run.evaluation.accuracy).toFixed(2)}% on ${run.evaluation.count} photos; features ${run.extractSeconds.toFixed(1)} s for ${run.featuresComputed} photos (${(run.featuresComputed / run.extractSeconds).toFixed(1)} photos/s, decoding included), ${run.engine}`;

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
fs.cpSync(path.join(shared, backbone), path.join(dir, 'models', backbone), { recursive: true });
graft('import', dataset, '--project', project, '--folder-labels');

const catalogue = graft('train', '--project', project, '--backbone', backbone);
console.log(describe(catalogue));
const exported = graft('export', '--project', project, '--out', path.join(dir, 'exported'));
console.log(`exported run #${catalogue.runId}: ${exported.files.join(', ')}`);

let started = Date.now();
const imported = graft('backbones', '--import', path.join(dir, 'exported', 'model.onnx'), '--name', 'exported', '--preprocessing', 'scale_0_255');
console.log(`imported ${imported.id} in ${((Date.now() - started) / 1000).toFixed(1)} s (the command included): ${imported.notes.join(' ')}`);
const onImported = graft('train', '--project', project, '--backbone', imported.id);
console.log(describe(onImported));
started = Date.now();
const again = graft('export', '--project', project, '--out', path.join(dir, 'exported-again'));
console.log(`exported run #${onImported.runId} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${again.files.join(', ')}; ONNX agrees with Graft on ${again.verification.onnxAgree} of ${again.verification.photos} photos`);
