import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBadFiles, writeJpeg } from '../../../test-support/imageFixtures';
import { makeTempDir } from '../../../test-support/tempDir';
import { appEnvironment, projectEnvironment } from '../../../test-support/jobEnvironment';
import { useTestModels } from '../../../test-support/testModels';
import { parseCsv } from '../../shared/csv';
import { WHOLE_LIBRARY } from '../../shared/sharding';
import { planAction } from '../../node/results/actions';
import { createProject, type Project } from '../../node/data/project';
import { photoPixels } from '../../node/photos/decode';
import { tf } from '../ml/tensorflow';
import { classify } from './classify';
import { classifyAction } from './classifyAction';
import { exportModel } from './exportModel';
import { importPhotos } from './importPhotos';
import type { JobContext } from '../../shared/jobs/jobContext';
import { classifyToFile } from './classifyToFile';
import { train } from './train';

const context: JobContext = { signal: new AbortController().signal, progress: () => {} };
const asRoot = process.getuid?.() === 0;
let temp: ReturnType<typeof makeTempDir>;
let trained: Project;
let other: Project;
let runId: number;
let exported: string;
let library: string;
let badFiles: Record<string, string>;

/** Photos of the library: reddish and bluish, in nested folders, one an exact copy of another. */
async function makeLibrary(root: string): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < 10; i++) {
    const shade = 15 + i * 9;
    const red = path.join(root, 'trip', `r${i}.jpg`);
    const blue = path.join(root, 'home', 'deep', `b${i}.jpg`);
    await writeJpeg(red, { r: 225 - shade / 4, g: shade, b: 50 }, 80);
    await writeJpeg(blue, { r: 50, g: shade, b: 225 - shade / 4 }, 80);
    files.push(red, blue);
  }
  fs.copyFileSync(files[0], path.join(root, 'copy-of-r0.jpg'));
  return files;
}

beforeAll(async () => {
  await useTestModels(['mobilenet_v2_0.35_224']);
  temp = makeTempDir();
  // Project A: labelled red and blue photos, a MobileNetV2 0.35 model trained on them.
  trained = createProject(path.join(temp.dir, 'a.graft'));
  for (let i = 0; i < 20; i++) {
    const shade = 20 + i * 6;
    await writeJpeg(path.join(temp.dir, 'labelled', 'red', `r${i}.jpg`), { r: 230 - shade / 3, g: shade, b: 40 });
    await writeJpeg(path.join(temp.dir, 'labelled', 'blue', `b${i}.jpg`), { r: 40, g: shade, b: 230 - shade / 3 });
  }
  await importPhotos({ folders: [path.join(temp.dir, 'labelled')], folderLabels: true }, projectEnvironment(trained, context));
  runId = (await train({ model: 'transfer', backbone: 'mobilenet_v2_0.35', epochs: 40, seed: 1, hidden: 0, dropout: 0.2, learningRate: 0.01, batchSize: 8, patience: 8, crop: 'center', fineTuneEpochs: 0 }, projectEnvironment(trained, context))).runId;
  exported = path.join(temp.dir, 'exported');
  library = path.join(temp.dir, 'library');
  await makeLibrary(library);
  badFiles = await writeBadFiles(path.join(library, 'bad'));
  // Project B never trained anything: it classifies with A's exported model.
  other = createProject(path.join(temp.dir, 'b.graft'));
}, 120_000);
afterAll(() => {
  // Absent when beforeAll failed (no test backbones): its sentence is then the only error.
  trained?.close();
  other?.close();
  temp?.remove();
});

describe('export', () => {
  it('writes ONNX, TensorFlow.js, labels and a README that agree with each other', async () => {
    const result = await exportModel({ runId, folder: exported }, projectEnvironment(trained, context));
    expect(result.files).toEqual(['README.md', 'graft-model.json', 'labels.txt', 'model.onnx', 'tfjs/model.json', 'tfjs/weights.bin']);
    // Checked on the run's test photos against Graft's own predictions.
    expect(result.verification.photos).toBeGreaterThan(0);
    expect(result.verification).toMatchObject({ onnxAgree: result.verification.photos, tfjsAgree: result.verification.photos });
    expect(result.verification.maxDifference).toBeLessThan(1e-4);
    expect(fs.readFileSync(path.join(exported, 'labels.txt'), 'utf8').trim().split('\n').sort()).toEqual(['blue', 'red']);
    expect(fs.readFileSync(path.join(exported, 'README.md'), 'utf8')).toMatch(/shorter side is 224 px.*centre 224x224 square/s);
    expect(fs.readFileSync(path.join(exported, 'README.md'), 'utf8')).toContain('Backbone: mobilenet_v2_0.35_224, licence Apache-2.0');

    // The same photos through both exported formats: same probabilities within 1e-4.
    const photos = fs.readdirSync(path.join(library, 'trip')).map((f) => path.join(library, 'trip', f));
    const pixels = new Float32Array(photos.length * 224 * 224 * 3);
    for (const [i, p] of photos.entries()) pixels.set(await photoPixels(p, 224, 'center'), i * 224 * 224 * 3);
    const session = await ort.InferenceSession.create(path.join(exported, 'model.onnx'));
    const onnx = (await session.run({ pixels: new ort.Tensor('float32', pixels, [photos.length, 224, 224, 3]) })).probabilities.data as Float32Array;
    const manifest = JSON.parse(fs.readFileSync(path.join(exported, 'tfjs', 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const weights = fs.readFileSync(path.join(exported, 'tfjs', 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: manifest.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer }),
    );
    const tfjs = (model.predict(tf.tensor4d(pixels, [photos.length, 224, 224, 3])) as tf.Tensor).dataSync();
    expect(tfjs).toHaveLength(onnx.length);
    expect(Math.max(...Array.from(onnx, (v, i) => Math.abs(v - tfjs[i])))).toBeLessThan(1e-4);
    const labels = JSON.parse(fs.readFileSync(path.join(exported, 'graft-model.json'), 'utf8')).labels as string[];
    // The reddish photos come out red.
    for (let i = 0; i < photos.length; i++) expect(labels[onnx[2 * i] > onnx[2 * i + 1] ? 0 : 1]).toBe('red');
  });

  it('refuses to export into a folder that holds other files', async () => {
    const busy = path.join(temp.dir, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'mine.txt'), 'keep me');
    await expect(exportModel({ runId, folder: busy }, projectEnvironment(trained, context))).rejects.toThrow(/not empty/);
    expect(fs.readdirSync(busy)).toEqual(['mine.txt']);
  });
});

describe('classify job', () => {
  it('classifies a library with a model from another project, reports each bad file, and resumes after a cancel', async () => {
    // Cancelled after the first chunk of photos: what was done is kept.
    const abort = new AbortController();
    const stopping: JobContext = { signal: abort.signal, progress: (done) => done > 0 && abort.abort() };
    await expect(classify({ model: { folder: exported }, folders: [library], topK: 2 }, projectEnvironment(other, stopping))).rejects.toMatchObject({ name: 'AbortError' });
    const store = other.stores.classified;
    const [classifier] = store.list();
    // The first batch (16 photos for the model, and the unreadable files met before them) was kept.
    const kept = classifier.photos;
    expect(kept).toBeGreaterThanOrEqual(16);
    expect(kept).toBeLessThan(26);

    const result = await classify({ model: { folder: exported }, folders: [library], topK: 2 }, projectEnvironment(other, context));
    const bad = asRoot ? 4 : 5; // root reads the mode-000 file
    expect(result).toMatchObject({ classifierId: classifier.id, found: 21 + 5, unchanged: kept });
    expect(result.classified + result.reused + result.failed).toBe(26 - kept);
    // The bad files (sorted first, in bad/) were met by the first run: each is recorded with its reason.
    const errors = store.page({ classifierId: classifier.id, threshold: 0, label: 'error', sort: 'path', offset: 0, limit: 100 }).items;
    expect(errors.map((e) => path.basename(e.path)).sort()).toEqual(expect.arrayContaining(['bomb.png', 'empty.jpg', 'notes.jpg', 'truncated.jpg']));
    expect(errors).toHaveLength(bad);
    expect(errors.find((e) => e.path === badFiles.truncated)!.error).toMatch(/truncated|damaged/);
    expect(errors.find((e) => e.path === badFiles.bomb)!.error).toMatch(/too large/);

    const summary = store.summary(classifier.id, 0);
    expect(summary.total).toBe(26);
    // secret.jpg (almost black) is classified too when tests run as root, as either class.
    const count = (label: string) => summary.counts.find((c) => c.label === label)!.count;
    expect(count('red') + count('blue')).toBe(26 - bad);
    expect(count('red')).toBeGreaterThanOrEqual(11);
    expect(count('error')).toBe(bad);
    // Every photo once, and the right class for every generated one.
    const rows = store.page({ classifierId: classifier.id, threshold: 0, sort: 'path', offset: 0, limit: 100 }).items;
    expect(new Set(rows.map((r) => r.path)).size).toBe(26);
    for (const row of rows.filter((r) => /\/(r|b)\d\.jpg$/.test(r.path))) expect(row.label).toBe(path.basename(row.path).startsWith('r') ? 'red' : 'blue');
    // A threshold above every confidence sends every photo to "unknown", without classifying again.
    expect(store.summary(classifier.id, 1.01).counts.find((c) => c.label === 'unknown')!.count).toBe(26 - bad);

    const again = await classify({ model: { folder: exported }, folders: [library], topK: 2 }, projectEnvironment(other, context));
    expect(again).toMatchObject({ classified: 0, unchanged: 26 });
  });

  it('previews an action without changing anything, then applies it; applying twice does nothing new', async () => {
    const [classifier] = other.stores.classified.list();
    const sorted = path.join(temp.dir, 'sorted');
    const request = { filter: { classifierId: classifier.id, threshold: 0 }, action: 'copy' as const, target: sorted };
    const plan = planAction(other.stores, request);
    expect(plan.total).toBe(26 - (asRoot ? 4 : 5));
    expect(fs.existsSync(sorted)).toBe(false);
    expect(plan.operations.find((o) => o.source.endsWith('copy-of-r0.jpg'))!.destination).toBe(path.join(sorted, 'red', 'copy-of-r0.jpg'));

    const applied = await classifyAction(request, projectEnvironment(other, context));
    expect(applied).toMatchObject({ done: plan.total, skipped: 0, failed: [] });
    expect(fs.readdirSync(path.join(sorted, 'blue')).filter((f) => /^b\d\.jpg$/.test(f)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}.jpg`));
    expect(await classifyAction(request, projectEnvironment(other, context))).toMatchObject({ done: 0, skipped: plan.total });
  });

  it('writes XMP sidecars and a CSV with every photo once', async () => {
    const [classifier] = other.stores.classified.list();
    const filter = { classifierId: classifier.id, threshold: 0 };
    const blue = other.stores.classified.count({ ...filter, label: 'blue' });
    expect((await classifyAction({ filter: { ...filter, label: 'blue' }, action: 'xmp' }, projectEnvironment(other, context))).done).toBe(blue);
    expect(fs.readFileSync(path.join(library, 'home', 'deep', 'b3.jpg.xmp'), 'utf8')).toContain('<rdf:li>blue</rdf:li>');
    expect(fs.existsSync(path.join(library, 'trip', 'r3.jpg.xmp'))).toBe(false);

    const csv = path.join(temp.dir, 'results.csv');
    await classifyAction({ filter, action: 'csv', target: csv }, projectEnvironment(other, context));
    const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
    expect(rows[0]).toEqual(['path', 'class', 'confidence', 'top', 'error']);
    expect(rows.length - 1).toBe(26);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(26);
    expect(rows.find((r) => r[0] === badFiles.empty)).toEqual([badFiles.empty, 'error', '', '', 'empty file (0 bytes)']);
  });

  it('offers predictions as suggested labels for the same photos in a library', async () => {
    // Project A holds unlabelled copies of some library photos.
    const unlabelled = path.join(temp.dir, 'inbox');
    fs.mkdirSync(unlabelled);
    for (const name of ['r1.jpg', 'r2.jpg']) fs.copyFileSync(path.join(library, 'trip', name), path.join(unlabelled, name));
    await importPhotos({ folders: [unlabelled], folderLabels: false }, projectEnvironment(trained, context));
    await classify({ model: { runId }, folders: [library], topK: 2 }, projectEnvironment(trained, context));
    const [classifier] = trained.stores.classified.list();
    expect(classifier.runId).toBe(runId);
    const request = { filter: { classifierId: classifier.id, threshold: 0 }, action: 'suggest' as const };
    expect(planAction(trained.stores, request).total - planAction(trained.stores, request).skipped).toBe(2);
    await classifyAction(request, projectEnvironment(trained, context));
    const suggested = trained.stores.library.page({ suggested: true, sort: 'name', offset: 0, limit: 10 }).items;
    const red = trained.stores.library.classes().find((c) => c.name === 'red')!;
    expect(suggested.map((s) => [s.name, s.suggestedClassId])).toEqual([
      ['r1.jpg', red.id],
      ['r2.jpg', red.id],
    ]);
  });
});

describe('classifying without a project', () => {
  it('streams to a CSV that a second run resumes, each photo once', async () => {
    const csv = path.join(temp.dir, 'no-project.csv');
    const params = { model: exported, folders: [library], topK: 2, threshold: 0.5, out: csv, shard: WHOLE_LIBRARY };
    const abort = new AbortController();
    await expect(classifyToFile(params, appEnvironment({ signal: abort.signal, progress: (done) => done > 0 && abort.abort() }))).rejects.toMatchObject({ name: 'AbortError' });
    const kept = parseCsv(fs.readFileSync(csv, 'utf8')).length - 1;
    expect(kept).toBeGreaterThanOrEqual(16);
    // A crash mid-line leaves a partial row: it is dropped and that photo done again.
    fs.appendFileSync(csv, '/half/written/row.jpg,re');
    const result = await classifyToFile(params, appEnvironment(context));
    expect(result.resumed).toBe(kept);
    expect(result.unchanged).toBe(kept);
    const rows = parseCsv(fs.readFileSync(csv, 'utf8')).slice(1);
    expect(rows.map((r) => r[0]).sort()).toEqual([...new Set(rows.map((r) => r[0]))].sort());
    expect(rows.length).toBe(26);
  });
});
