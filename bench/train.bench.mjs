// Training benchmark on ../shared/datasets/cats_and_dogs (train 2000; its validation 1000 serve as
// the test split, as the project has no test photos): imports the photos, trains MobileNetV1 0.75
// features + a softmax head, changes 10 labels and trains again from cached features, fine-tunes
// the backbone's top block (unless --fine-tune-epochs 0), then trains the from-scratch CNN baseline
// on the same photos and splits and prints the transfer/scratch ratios.
// Usage: npm run build && node bench/train.bench.mjs [--backbone mobilenet_v1_0.75] [--dir /tmp/graft-train-bench] [--scratch-epochs 20] [--fine-tune-epochs 5]
// Prints numbers; asserts nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backbone = arg('backbone', 'mobilenet_v1_0.75');
const dir = path.resolve(arg('dir', '/tmp/graft-train-bench'));
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const project = path.join(dir, 'cats_and_dogs.graft');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26 }).toString());

fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const imported = graft('import', dataset, '--project', project, '--folder-labels');
console.log(`imported ${imported.added} photos in ${imported.seconds.toFixed(1)} s`);

const first = graft('train', '--project', project, '--backbone', backbone);
console.log(`backend: ${first.backend}`);
console.log(`${first.backbone} + softmax head: test accuracy ${(100 * first.evaluation.accuracy).toFixed(2)}% on ${first.photos.test} photos; ` +
  `features ${first.extractSeconds.toFixed(1)} s for ${first.featuresComputed} photos (${((1000 * first.extractSeconds) / first.featuresComputed).toFixed(1)} ms/photo), head ${first.trainSeconds.toFixed(1)} s, ${first.epochs} epochs`);

// Relabel 10 training photos (cats as dogs), then retrain: every feature comes from the cache.
const cats = fs.readdirSync(path.join(dataset, 'train', 'cats')).sort().slice(0, 10).map((f) => path.join(dataset, 'train', 'cats', f));
graft('label', 'dogs', ...cats, '--project', project);
const started = Date.now();
const second = graft('train', '--project', project, '--backbone', backbone);
console.log(`after 10 labels changed: retrained in ${((Date.now() - started) / 1000).toFixed(1)} s end to end (features ${second.extractSeconds.toFixed(1)} s, ${second.featuresComputed} computed; head ${second.trainSeconds.toFixed(1)} s); test accuracy ${(100 * second.evaluation.accuracy).toFixed(2)}%`);

// Put the 10 labels back, so that both models learn from the same labels, then the baseline.
graft('label', 'cats', ...cats, '--project', project);
graft('train', '--project', project, '--backbone', backbone);
const fineTuneEpochs = arg('fine-tune-epochs', '5');
if (fineTuneEpochs !== '0') {
  const tuned = graft('train', '--project', project, '--backbone', backbone, '--fine-tune', fineTuneEpochs);
  console.log(`${tuned.backbone} + head, top block fine-tuned on augmented photos: test accuracy ${(100 * tuned.evaluation.accuracy).toFixed(2)}%; training ${tuned.trainSeconds.toFixed(1)} s (features from the cache); ${tuned.notes.find((n) => n.startsWith('Fine-tuned')) ?? ''}`);
}
const scratch = graft('train', '--project', project, '--scratch', '--epochs', arg('scratch-epochs', '20'));
console.log(`from-scratch CNN (${scratch.backbone}): test accuracy ${(100 * scratch.evaluation.accuracy).toFixed(2)}%; decoding ${scratch.extractSeconds.toFixed(1)} s, training ${scratch.trainSeconds.toFixed(1)} s, ${scratch.epochs} epochs (best ${scratch.bestEpoch})`);
const { comparison } = graft('runs', '--project', project);
console.log(`transfer run #${comparison.transferRunId} against scratch run #${comparison.scratchRunId}: ` +
  `${comparison.timeRatio.toFixed(1)}x less time (${comparison.transferUsedCache ? 'cached features: flattered' : 'computing the features included'}), ${comparison.accuracyRatio.toFixed(2)}x the accuracy, error ${(100 * comparison.transferError).toFixed(1)}% against ${(100 * comparison.scratchError).toFixed(1)}%`);
