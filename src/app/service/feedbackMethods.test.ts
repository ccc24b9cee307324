/**
 * The service's issue-11 methods end to end in one process (jobs in real worker processes): what
 * the Train view judges readiness on, "Try it" beside a running job, adding a classified photo to
 * the library, the photo viewer's facts, the file chooser, the remembered threshold, and undo per
 * origin.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraftClient } from '../../shared/api/client';
import type { Job } from '../../shared/api/jobs';
import type { JobRequestInput } from '../../shared/jobs/registry';
import { DEFAULT_UNKNOWN_THRESHOLD } from '../../shared/api/classify';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { makeSlowFolder, makeTempDir } from '../../../test-support/tempDir';
import { useTestModels } from '../../../test-support/testModels';
import { forkWorker } from '../jobs/workerLauncher';
import { GraftService } from './graftService';
import { inProcessClient } from './inProcessClient';

let temp: ReturnType<typeof makeTempDir>;
let service: GraftService;
let client: GraftClient;

/** Starts a job and resolves with it once it has ended. */
async function run(request: JobRequestInput): Promise<Job> {
  const started = await client.call('jobs.start', request);
  return new Promise((resolve) => {
    const check = (job: Job) => {
      if (job.id === started.id && job.scope === started.scope && !['queued', 'running'].includes(job.state)) {
        stop();
        resolve(job);
      }
    };
    const stop = client.on('job.updated', check);
  });
}

const red = (i: number) => ({ r: 220 - i * 3, g: 20 + i * 5, b: 40 });
const blue = (i: number) => ({ r: 40, g: 20 + i * 5, b: 220 - i * 3 });

beforeAll(async () => {
  await useTestModels(['mobilenet_v2_0.35_224']);
  temp = makeTempDir();
  for (let i = 0; i < 16; i++) {
    await writeJpeg(path.join(temp.dir, 'photos', i < 12 ? 'train' : 'test', 'red', `red.${i}.jpg`), red(i));
    await writeJpeg(path.join(temp.dir, 'photos', i < 12 ? 'train' : 'test', 'blue', `blue.${i}.jpg`), blue(i));
  }
  service = new GraftService({ kind: 'browser', launchWorker: forkWorker }, path.join(temp.dir, 'home'));
  client = inProcessClient(service);
  await client.call('projects.create', { path: path.join(temp.dir, 'p.graft') });
  expect((await run({ kind: 'import', params: { folders: [path.join(temp.dir, 'photos')], folderLabels: true } })).state).toBe('done');
}, 60_000);

afterAll(async () => {
  await service?.shutdown();
  temp?.remove();
});

describe('GraftService (issue 11)', () => {
  it('counts labelled photos per class and split', async () => {
    const counts = await client.call('library.classSplits', {});
    expect(counts.map((c) => [c.name, c.train, c.validation, c.test])).toEqual([
      ['blue', 12, 0, 4],
      ['red', 12, 0, 4],
    ]);
  });

  it('tries a trained model on one photo at once, even while a long job runs', async () => {
    const trained = await run({ kind: 'train', params: { backbone: 'mobilenet_v2_0.35_224', epochs: 30 } });
    expect(trained.state).toBe('done');
    expect((await client.call('runs.list', {}))[0].evaluatedOn).toBe('test');
    const slow = await client.call('jobs.start', { kind: 'hashFolder', params: { folder: makeSlowFolder(temp.dir) } });
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: red(3) } }).png().toBuffer();
    const answer = await client.call('tryIt.predict', { photo: photo.toString('base64') });
    expect(answer.guesses[0].label).toBe('red');
    expect(answer.guesses[0].confidence).toBeGreaterThan(0.5);
    expect(answer.engine).toMatch(/onnxruntime|TensorFlow/);
    // Not a job, and not held up by the one running.
    expect((await client.call('jobs.list', {})).find((j) => j.id === slow.id)?.state).toBe('running');
    expect((await client.call('jobs.list', {})).some((j) => j.kind !== 'import' && j.kind !== 'train' && j.kind !== 'hashFolder')).toBe(false);
    await client.call('jobs.cancel', { id: slow.id });
    await expect(client.call('tryIt.predict', { photo: Buffer.from('not a photo at all').toString('base64') })).rejects.toThrow(/not a photo Graft can read/);
  }, 120_000);

  it('adds a classified photo to the library with the label a person gives it, as their undoable action', async () => {
    const elsewhere = path.join(temp.dir, 'elsewhere');
    await writeJpeg(path.join(elsewhere, 'mystery.jpg'), { r: 120, g: 120, b: 120 });
    const runId = (await client.call('runs.list', {}))[0].id;
    expect((await run({ kind: 'classify', params: { model: { runId }, folders: [elsewhere] } })).state).toBe('done');
    const [classifier] = await client.call('classify.classifiers', {});
    expect(classifier.threshold).toBe(DEFAULT_UNKNOWN_THRESHOLD);
    await client.call('classify.setThreshold', { classifierId: classifier.id, threshold: 0.9 });
    expect((await client.call('classify.classifiers', {}))[0].threshold).toBe(0.9);

    const { items } = await client.call('classify.results', { classifierId: classifier.id });
    const details = await client.call('photos.details', { classifiedId: items[0].id });
    expect(details).toMatchObject({ name: 'mystery.jpg', width: 64, height: 64, format: 'jpeg' });

    const added = await client.call('classify.addToLibrary', { ids: [items[0].id], label: 'grey', origin: 'window-1' });
    expect(added).toMatchObject({ added: 1, labelled: 1, problems: [] });
    const summary = await client.call('library.summary', {});
    expect(summary.images).toBe(33);
    expect(summary.classes.find((c) => c.name === 'grey')?.count).toBe(1);
    // Another origin cannot undo it; its own can.
    expect(await client.call('labels.undo', { origin: 'cli-42' })).toBe(0);
    expect(await client.call('labels.undo', { origin: 'window-1' })).toBe(1);
    const [image] = (await client.call('library.page', { search: 'mystery' })).items;
    expect(image.classId).toBeNull();
    const record = await client.call('photos.details', { imageId: image.id });
    expect(record.paths).toEqual([{ path: path.join(elsewhere, 'mystery.jpg'), missing: false }]);
  }, 60_000);

  it('gives a class made of classified photos a photo in each split, as labelling in the library does', async () => {
    const sorted = path.join(temp.dir, 'to-sort');
    for (let i = 0; i < 3; i++) await writeJpeg(path.join(sorted, `green.${i}.jpg`), { r: 20, g: 150 + i * 30, b: 20 });
    const runId = (await client.call('runs.list', {}))[0].id;
    expect((await run({ kind: 'classify', params: { model: { runId }, folders: [sorted] } })).state).toBe('done');
    const classifier = (await client.call('classify.classifiers', {})).reduce((a, b) => (b.id > a.id ? b : a));
    // Named for people: the run and its network's title, not the network's id.
    expect(classifier.name).toMatch(new RegExp(`^Run ${runId} · [A-Z]`));
    const greenIds = (await client.call('classify.results', { classifierId: classifier.id })).items.filter((i) => i.path.startsWith(sorted)).map((i) => i.id);
    expect(await client.call('classify.addToLibrary', { ids: greenIds, label: 'green', origin: 'window-1' })).toMatchObject({ added: 3, labelled: 3 });
    const greens = (await client.call('library.page', { search: 'green' })).items;
    expect(greens.map((g) => g.split).sort()).toEqual(['test', 'train', 'validation']);
  }, 60_000);

  it('lists a folder for the browser mode’s chooser: subfolders and matching files only', async () => {
    const folder = path.join(temp.dir, 'chooser');
    fs.mkdirSync(path.join(folder, 'b folder'), { recursive: true });
    fs.mkdirSync(path.join(folder, '.hidden'));
    fs.writeFileSync(path.join(folder, 'results.csv'), 'x');
    fs.writeFileSync(path.join(folder, 'photo.jpg'), 'x');
    const listing = await client.call('files.list', { folder, extensions: ['csv'] });
    expect(listing.entries.map((e) => [e.name, e.kind])).toEqual([
      ['b folder', 'folder'],
      ['results.csv', 'file'],
    ]);
    expect(listing.parent).toBe(temp.dir);
    await expect(client.call('files.list', { folder: path.join(folder, 'nope') })).rejects.toThrow(/There is no folder/);
    await client.call('files.remember', { path: folder });
    expect((await client.call('files.places', {})).recent[0]).toBe(folder);
  });
});
