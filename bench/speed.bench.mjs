// Speed benchmark (issue 13), in one run on this machine:
//   1. Folder → evaluated model: `graft import` + `graft train` of cats_and_dogs (3000 photos) in a
//      new project and a new data folder (nothing cached, the ONNX conversion included), beside a
//      naive reference — sharp decodes each photo once to a 224 px centre crop and onnxruntime
//      (default session options) runs the exported model on batches of 16 — and their ratio.
//   2. Retraining after 10 labels change (features cached).
//   3. Classification: `graft classify` into a CSV, photos/s, beside the reference's photos/s.
//   4. CLI start: `graft --version` and `graft classes` (median of 7).
//   5. Grid at 100k photos: label keypress → row committed in SQLite, median of 20, in Chromium.
// Usage: npm run build && node bench/speed.bench.mjs [--dir /tmp/graft-speed] [--skip-grid | --grid-only]
// Prints numbers; asserts nothing. Run it on an idle machine: the ratios are what count.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { labelKeypressLatencies, launchChromium, serveProject } from './support/browserApp.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-speed'));
const dataset = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs');
const models = process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models');
const cli = path.join(root, 'dist', 'cli.cjs');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: models };
const graft = (...args) => JSON.parse(execFileSync(process.execPath, [cli, '--json', '--no-progress', ...args], { env, maxBuffer: 1 << 28 }).toString());
const seconds = (started) => (Date.now() - started) / 1000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function photosOf(folder) {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.jpg')).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** The naive reference: decode once to the model's input, run the exported model, 16 at a time. */
async function reference(modelFile, files) {
  const started = Date.now();
  const session = await ort.InferenceSession.create(modelFile);
  for (let i = 0; i < files.length; i += 16) {
    const batch = files.slice(i, i + 16);
    const pixels = await Promise.all(batch.map((f) => sharp(f).rotate().resize(224, 224, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer()));
    const input = new Float32Array(batch.length * 224 * 224 * 3);
    pixels.forEach((p, k) => input.set(p, k * 224 * 224 * 3));
    await session.run({ pixels: new ort.Tensor('float32', input, [batch.length, 224, 224, 3]) });
  }
  await session.release();
  return seconds(started);
}

const gridOnly = process.argv.includes('--grid-only');
if (!gridOnly) {
  // 1. Folder → evaluated model, cold.
  const project = path.join(dir, 'cd.graft');
  let started = Date.now();
  const imported = graft('import', dataset, '--project', project, '--folder-labels');
  const importSeconds = seconds(started);
  started = Date.now();
  const trained = graft('train', '--project', project);
  const trainSeconds = seconds(started);
  const exported = path.join(dir, 'model');
  graft('export', '--project', project, '--out', exported);
  const files = photosOf(dataset);
  const referenceSeconds = await reference(path.join(exported, 'model.onnx'), files);
  const graftSeconds = importSeconds + trainSeconds;
  console.log(`1. folder → evaluated model (${imported.added} photos, ${(100 * trained.evaluation.accuracy).toFixed(2)} % on ${trained.evaluation.count} test photos):`);
  console.log(`   graft import ${importSeconds.toFixed(1)} s + graft train ${trainSeconds.toFixed(1)} s = ${graftSeconds.toFixed(1)} s; naive reference ${referenceSeconds.toFixed(1)} s; ratio ${(graftSeconds / referenceSeconds).toFixed(2)}`);
  console.log(`   features computed at import: ${trained.featuresComputed === 0 ? 'all (train computed none)' : `train computed ${trained.featuresComputed}`}; engine: ${trained.engine ?? 'cache'}`);

  // 2. Retrain after 10 labels change.
  const relabel = photosOf(path.join(dataset, 'train', 'cats')).slice(0, 10);
  graft('label', 'dogs', ...relabel, '--project', project);
  started = Date.now();
  const retrained = graft('train', '--project', project);
  console.log(`2. retrain after 10 labels changed: ${seconds(started).toFixed(1)} s end to end (the job itself: features ${retrained.extractSeconds.toFixed(2)} s, head ${retrained.trainSeconds.toFixed(2)} s)`);
  graft('label', 'cats', ...relabel, '--project', project);

  // 3. Classification, against the same reference.
  started = Date.now();
  const classified = graft('classify', dataset, '--model', exported, '--out', path.join(dir, 'results.csv'));
  const classifySeconds = seconds(started);
  const graftRate = classified.found / classifySeconds;
  const referenceRate = files.length / referenceSeconds;
  console.log(`3. classify ${classified.found} photos: ${classifySeconds.toFixed(1)} s end to end = ${graftRate.toFixed(1)} photos/s (the job: ${classified.photosPerSecond.toFixed(1)} photos/s, ${classified.engine}); reference ${referenceRate.toFixed(1)} photos/s; ratio ${(graftRate / referenceRate).toFixed(2)}`);

  // 4. CLI start.
  const time = (...args) => {
    const t = process.hrtime.bigint();
    execFileSync(process.execPath, [cli, ...args], { env });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  console.log(`4. graft --version: median ${median(Array.from({ length: 7 }, () => time('--version'))).toFixed(0)} ms; graft classes: median ${median(Array.from({ length: 7 }, () => time('classes', '--project', project))).toFixed(0)} ms`);
}

// 5. Grid at 100k photos: a project of 100,000 rows (one shared thumbnail), labelled in the "Unlabelled" filter.
if (!process.argv.includes('--skip-grid')) {
  const big = path.join(dir, 'grid.graft');
  graft('project', 'create', big);
  const db = new Database(big);
  const thumb = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#708090' } }).jpeg().toBuffer();
  fs.mkdirSync(`${big}-cache`, { recursive: true });
  const thumbnails = new Database(path.join(`${big}-cache`, 'thumbnails.sqlite'));
  thumbnails.exec('CREATE TABLE IF NOT EXISTS thumbnails (hash TEXT PRIMARY KEY, jpeg BLOB NOT NULL)');
  const keepThumbnail = thumbnails.prepare('INSERT INTO thumbnails (hash, jpeg) VALUES (?, ?)');
  db.transaction(() => {
    const image = db.prepare(`INSERT INTO images (hash, name, width, height, format, bytes, added_at, split) VALUES (?, ?, 96, 96, 'jpeg', 1000, '2026-01-01', 'train')`);
    const file = db.prepare(`INSERT INTO image_paths (path, image_id, folder, name, size, mtime_ms) VALUES (?, ?, ?, ?, 1000, 0)`);
    for (let i = 0; i < 100_000; i++) {
      const hash = i.toString(16).padStart(64, '0');
      const id = image.run(hash, `photo-${i}.jpg`).lastInsertRowid;
      file.run(`/photos/f${Math.floor(i / 1000)}/photo-${i}.jpg`, id, `/photos/f${Math.floor(i / 1000)}`, `photo-${i}.jpg`);
      if (i < 2000) keepThumbnail.run(hash, thumb);
    }
  })();
  db.close();
  thumbnails.close();
  const app = await serveProject(cli, big, env);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    const latencies = await labelKeypressLatencies(page, big);
    console.log(`5. grid at 100,000 photos, "Unlabelled" filter: label keypress → committed: median ${median(latencies).toFixed(1)} ms, worst ${Math.max(...latencies).toFixed(1)} ms (20 presses)`);
  } finally {
    await browser.close();
    app.stop();
  }
}
