// A model for the classification benchmarks: an exported folder given with --model, or one trained
// here on cats_and_dogs/validation (1000 photos, MobileNetV1 0.75 + head) and exported.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function exportedModel({ root, dir, env, given }) {
  if (given) return path.resolve(given);
  const graft = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26 }).toString());
  const project = path.join(dir, 'training.graft');
  graft('import', path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs', 'validation'), '--project', project, '--folder-labels');
  const run = graft('train', '--project', project, '--backbone', 'mobilenet_v1_0.75');
  const model = path.join(dir, 'exported-model');
  graft('export', '--project', project, '--out', model);
  console.log(`model: MobileNetV1 0.75 + head trained on cats_and_dogs/validation (${(100 * run.evaluation.accuracy).toFixed(1)}% test accuracy), exported to ${model}`);
  return model;
}
