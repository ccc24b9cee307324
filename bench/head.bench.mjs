// Head benchmark: Graft's softmax heads against scikit-learn's LogisticRegression on the same
// MobileNetV1 0.75 features and the same splits. Features are computed through Graft's own feature
// cache (`graft import` + `graft train` per task project, in --dir; a second run reuses them), then
// read from the project file. Per task and split seed it fits
//   - Graft's convex head (src/worker/ml/softmaxHead.ts: L-BFGS, L2 strength chosen on the
//     validation photos, refit on train + validation),
//   - Graft's previous head (Adam mini-batches, early stopping on the validation photos, ≤ 50 epochs),
//   - scikit-learn (bench/head_sklearn.py): C = 1 on train, and C chosen on the validation photos
//     from the same grid then refit on train + validation,
// and prints test top-1 / top-5 accuracy and fit time, then the means over seeds.
// Tasks, all from ../shared/datasets (there is no many-class photo set here, so the many-class
// task is made from what there is, with labels true by construction):
//   cats vs dogs          all 3000 photos, 60/15/25 % train/validation/test per class
//   cats vs dogs 8/class  8 train + 4 validation photos per class, the rest tested
//   dog vs face 8/class   greyscale dogs against the (greyscale) LFW faces, so colour cannot tell them apart
//   12 classes 8/class    {cat, dog, face} × rotated {0, 90, 180, 270}°, greyscale, 200 distinct photos a class
//   12 classes            the same photos, 60/15/25 %
// The modules under test are bundled for this script with esbuild into dist/head-bench.cjs.
// Usage: npm run build && node bench/head.bench.mjs [--dir /tmp/graft-head-bench] [--seeds 4] [--python python3]
// Prints numbers; asserts nothing.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import sharp from 'sharp';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-head-bench'));
const seeds = Number(arg('seeds', '4'));
const python = arg('python', 'python3');
const backbone = 'mobilenet_v1_0.75_224';
const datasets = path.resolve(root, '..', 'shared', 'datasets');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 26 }).toString());

/** mulberry32, as src/worker/ml/fit.ts: reproducible shuffles. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const shuffled = (items, random) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
};
const files = (folder) => fs.readdirSync(folder).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(folder, f));

// ---- Photos: the folders each task project imports (class = folder name).
const cats = [...files(path.join(datasets, 'cats_and_dogs', 'train', 'cats')), ...files(path.join(datasets, 'cats_and_dogs', 'validation', 'cats'))];
const dogs = [...files(path.join(datasets, 'cats_and_dogs', 'train', 'dogs')), ...files(path.join(datasets, 'cats_and_dogs', 'validation', 'dogs'))];
const faces = fs.readdirSync(path.join(datasets, 'lfw_faces')).sort().flatMap((person) => files(path.join(datasets, 'lfw_faces', person)));

async function writePhotos(folder, sources, transform) {
  fs.mkdirSync(folder, { recursive: true });
  for (let start = 0; start < sources.length; start += 16) {
    await Promise.all(sources.slice(start, start + 16).map((source, i) => transform(sharp(source).autoOrient()).jpeg({ quality: 92 }).toFile(path.join(folder, `${String(start + i).padStart(4, '0')}.jpg`))));
  }
}

const ROTATION_POOL = 200;
const projects = {
  cats_and_dogs: async (photos) => fs.symlinkSync(path.join(datasets, 'cats_and_dogs'), photos),
  dog_vs_face: async (photos) => {
    await writePhotos(path.join(photos, 'dog'), dogs, (image) => image.greyscale());
    await writePhotos(path.join(photos, 'face'), faces, (image) => image.greyscale());
  },
  rotations: async (photos) => {
    for (const [name, sources] of [['cat', cats], ['dog', dogs], ['face', faces]]) {
      const picked = shuffled(sources, seededRandom(name.length)).slice(0, 4 * ROTATION_POOL);
      for (const [r, angle] of [0, 90, 180, 270].entries()) {
        await writePhotos(path.join(photos, `${name}_${angle}`), picked.slice(r * ROTATION_POOL, (r + 1) * ROTATION_POOL), (image) => image.greyscale().rotate(angle));
      }
    }
  },
};

/** Rows of features with their class names, through Graft's feature cache (computed once per --dir). */
async function features(name) {
  const project = path.join(dir, `${name}.graft`);
  if (!fs.existsSync(project)) {
    const photos = path.join(dir, 'photos', name);
    fs.rmSync(photos, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(photos), { recursive: true });
    await projects[name](photos);
    graft('import', photos, '--project', project, '--folder-labels');
    const trained = graft('train', '--project', project, '--backbone', backbone);
    console.log(`${name}: ${trained.featuresComputed} photos through ${backbone} in ${trained.extractSeconds.toFixed(0)} s (Graft's own split: Adam head ${(100 * trained.evaluation.accuracy).toFixed(1)} %)`);
  }
  const db = new Database(project, { readonly: true });
  const rows = db
    .prepare(
      `SELECT c.name AS className, f.vector FROM images i JOIN classes c ON c.id = i.class_id
       JOIN features f ON f.hash = i.hash AND f.backbone = ? ORDER BY i.hash`,
    )
    .all(backbone);
  db.close();
  return rows.map((r) => ({ className: r.className, vector: new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)) }));
}

/** Per class: a fixed number (or a share) of train and validation photos; the rest are the test photos. */
function split(rows, classNames, sizes, seed) {
  const random = seededRandom(seed);
  const sets = { train: [], validation: [], test: [] };
  classNames.forEach((name, label) => {
    const own = shuffled(rows.filter((r) => r.className === name), random);
    const trainCount = sizes.train < 1 ? Math.round(sizes.train * own.length) : sizes.train;
    const validationCount = sizes.validation < 1 ? Math.round(sizes.validation * own.length) : sizes.validation;
    own.forEach((row, i) => sets[i < trainCount ? 'train' : i < trainCount + validationCount ? 'validation' : 'test'].push({ vector: row.vector, label }));
  });
  const pack = (set) => ({ features: Float32Array.from(set.flatMap((r) => Array.from(r.vector))), labels: Int32Array.from(set.map((r) => r.label)) });
  return { train: pack(sets.train), validation: pack(sets.validation), test: pack(sets.test) };
}

function topK(logits, labels, classCount, k) {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = logits.slice(i * classCount, (i + 1) * classCount);
    const truth = row[labels[i]];
    // Ties count against the model.
    if (row.filter((v) => v >= truth).length <= k) hits++;
  }
  return hits / labels.length;
}

const tasks = [
  { title: 'cats vs dogs', project: 'cats_and_dogs', sizes: { train: 0.6, validation: 0.15 } },
  { title: 'cats vs dogs 8/class', project: 'cats_and_dogs', sizes: { train: 8, validation: 4 } },
  { title: 'dog vs face 8/class', project: 'dog_vs_face', sizes: { train: 8, validation: 4 } },
  { title: '12 classes 8/class', project: 'rotations', sizes: { train: 8, validation: 4 } },
  { title: '12 classes', project: 'rotations', sizes: { train: 0.6, validation: 0.15 } },
];

fs.mkdirSync(dir, { recursive: true });
const featureRows = {};
for (const task of tasks) featureRows[task.project] ??= await features(task.project);
const bundle = path.join(root, 'dist', 'head-bench.cjs');
await build({ entryPoints: [path.join(root, 'bench', 'heads.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'warning' });
const heads = createRequire(import.meta.url)(bundle);

const results = [];
for (const task of tasks) {
  const rows = featureRows[task.project];
  const classNames = [...new Set(rows.map((r) => r.className))].sort();
  const classCount = classNames.length;
  for (let seed = 1; seed <= seeds; seed++) {
    const sets = split(rows, classNames, task.sizes, seed);
    const scores = {};
    const score = (name, logits, seconds) => (scores[name] = { top1: topK(logits, sets.test.labels, classCount, 1), top5: topK(logits, sets.test.labels, classCount, 5), seconds });

    const convex = await heads.convexHead(sets, classCount);
    score('Graft L-BFGS', convex.testLogits, convex.seconds);
    const adam = await heads.adamHead(sets, classCount, seed);
    score('Graft Adam', adam.testLogits, adam.seconds);

    const folder = path.join(dir, 'split');
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder);
    for (const [name, set] of Object.entries(sets)) {
      fs.writeFileSync(path.join(folder, `${name}.features`), set.features);
      fs.writeFileSync(path.join(folder, `${name}.labels`), set.labels);
    }
    fs.writeFileSync(path.join(folder, 'meta.json'), JSON.stringify({ inputSize: sets.train.features.length / sets.train.labels.length, classCount, inverseStrengths: convex.strengths.map((l2) => 1 / l2) }));
    const sklearn = JSON.parse(execFileSync(python, [path.join(root, 'bench', 'head_sklearn.py'), folder], { maxBuffer: 1 << 26 }).toString());
    for (const [name, run] of Object.entries(sklearn)) score(name, Float64Array.from(run.testLogits), run.seconds);

    const line = Object.entries(scores)
      .map(([name, s]) => `${name} ${(100 * s.top1).toFixed(1)}%${classCount > 5 ? ` (top-5 ${(100 * s.top5).toFixed(1)}%)` : ''} ${s.seconds.toFixed(2)} s`)
      .join(' · ');
    console.log(`${task.title}, seed ${seed} (train ${sets.train.labels.length}, validation ${sets.validation.labels.length}, test ${sets.test.labels.length}): ${line}`);
    console.log(
      `  L-BFGS chose l2 ${convex.chosenStrength.toPrecision(3)} (C ${(1 / convex.chosenStrength).toPrecision(3)}); sklearn chose C ${sklearn['sklearn C chosen'].C.toPrecision(3)}; ` +
        `${convex.iterations} iterations in all; largest gradient component at the solution ${convex.gradientNorm.toExponential(1)}; ` +
        `refit on train only: ${(100 * topK(convex.trainOnlyTestLogits, sets.test.labels, classCount, 1)).toFixed(1)}%`,
    );
    results.push({ task: task.title, classCount, scores });
  }
}

console.log('\nMeans over seeds (test top-1, top-5 where more than 5 classes, fit seconds):');
for (const task of tasks) {
  const runs = results.filter((r) => r.task === task.title);
  const names = Object.keys(runs[0].scores);
  const mean = (name, key) => runs.reduce((sum, r) => sum + r.scores[name][key], 0) / runs.length;
  console.log(
    `${task.title.padEnd(22)} ` +
      names.map((name) => `${name} ${(100 * mean(name, 'top1')).toFixed(1)}%${runs[0].classCount > 5 ? `/${(100 * mean(name, 'top5')).toFixed(1)}%` : ''} ${mean(name, 'seconds').toFixed(2)} s`).join(' · '),
  );
}
