import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { makeTempDir } from '../../../test-support/tempDir';
import type { GraftClient } from '../../shared/api/client';
import type { EventData } from '../../shared/api/contract';
import type { Job } from '../../shared/api/jobs';
import { openProjectDatabase } from '../../node/data/project';
import { forkWorker } from '../jobs/workerLauncher';
import { resolveImageRequest } from '../server/imageRoutes';
import { GraftService } from './graftService';
import { inProcessClient } from './inProcessClient';
import { waitFor } from '../../../test-support/until';

let temp: ReturnType<typeof makeTempDir>;
let service: GraftService;
let client: GraftClient;
let changes: EventData<'data.changed'>['what'][];
let jobEvents: Job[];

beforeEach(() => {
  temp = makeTempDir();
  service = new GraftService({ kind: 'browser', launchWorker: forkWorker }, path.join(temp.dir, 'home'));
  client = inProcessClient(service);
  changes = [];
  jobEvents = [];
  client.on('data.changed', ({ what }) => void changes.push(what));
  client.on('job.updated', (job) => void jobEvents.push(job));
});
afterEach(async () => {
  await service.shutdown();
  temp.remove();
});

const finished = (job: Job) => !['queued', 'running'].includes(job.state);

describe('GraftService', () => {
  it('refuses project requests without a project, and malformed requests, with a code and a sentence', async () => {
    await expect(client.call('library.summary', {})).rejects.toMatchObject({ code: 'no_project', message: 'Open or create a project first.' });
    const raw = await service.call('classes.create', { name: '' });
    expect(raw).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/Give the class a name/) } });
    expect(await service.call('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('labels photos and undoes, telling every client what changed', async () => {
    await client.call('projects.create', { path: path.join(temp.dir, 'p.graft') });
    const photos = path.join(temp.dir, 'photos');
    for (let i = 0; i < 3; i++) await writeJpeg(path.join(photos, `x${i}.jpg`), { r: 40 * i, g: 90, b: 20 });
    const started = await client.call('jobs.start', { kind: 'import', params: { folders: [photos], folderLabels: false } });
    expect(started).toMatchObject({ scope: 'project', kind: 'import', title: 'Import photos' });
    const done = await waitFor(() => jobEvents.find((j) => j.id === started.id && finished(j)));
    expect(done).toMatchObject({ state: 'done', result: { added: 3 } });
    expect(changes).toContainEqual(['photos', 'classes']);

    const cls = await client.call('classes.create', { name: 'leaf' });
    const { items } = await client.call('library.page', { sort: 'name' });
    changes = [];
    expect(await client.call('labels.set', { imageIds: items.map((i) => i.id), classId: cls.id })).toBe(3);
    // A class of three photos gets one in each split as it is labelled: labels and splits changed.
    expect(changes).toEqual([['labels', 'splits']]);
    expect((await client.call('library.summary', {})).splits).toEqual({ train: 1, validation: 1, test: 1 });
    expect((await client.call('library.summary', {})).unlabelled).toBe(0);
    expect(await client.call('labels.undo', {})).toBe(3);
    expect((await client.call('library.summary', {})).unlabelled).toBe(3);
  });

  it('serves the thumbnails an import job kept, from the app’s side, and nothing for an unknown hash', async () => {
    await client.call('projects.create', { path: path.join(temp.dir, 'p.graft') });
    const photos = path.join(temp.dir, 'photos');
    for (let i = 0; i < 2; i++) await writeJpeg(path.join(photos, `x${i}.jpg`), { r: 40 * i, g: 90, b: 20 });
    const started = await client.call('jobs.start', { kind: 'import', params: { folders: [photos], folderLabels: false } });
    expect(await waitFor(() => jobEvents.find((j) => j.id === started.id && finished(j)))).toMatchObject({ state: 'done' });
    for (const item of (await client.call('library.page', { sort: 'name' })).items) {
      const image = await resolveImageRequest(service, `/thumbs/${item.hash}.jpg`);
      expect(image?.contentType).toBe('image/jpeg');
      expect(image?.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    expect(await resolveImageRequest(service, `/thumbs/${'0'.repeat(64)}.jpg`)).toBeNull();

    // The cache lost (deleted, or damaged and started afresh): each thumbnail is made again from its photo, and kept.
    const project = path.join(temp.dir, 'p.graft');
    await client.call('projects.close', {});
    fs.rmSync(`${project}-cache`, { recursive: true, force: true });
    await client.call('projects.open', { path: project });
    const [first] = (await client.call('library.page', { sort: 'name' })).items;
    expect(service.thumbnail(first.hash)).toBeNull();
    expect((await resolveImageRequest(service, `/thumbs/${first.hash}.jpg`))?.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(service.thumbnail(first.hash)?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('runs a job that needs no project in the app’s own job log, with its own ids', async () => {
    const started = await client.call('jobs.start', { kind: 'downloadBackbone', params: { backbone: 'no_such_backbone' } });
    expect(started.scope).toBe('app');
    const failed = await waitFor(() => jobEvents.find((j) => j.id === started.id && j.scope === 'app' && finished(j)));
    expect(failed).toMatchObject({ state: 'failed', error: expect.stringMatching(/Unknown backbone/) });
    expect((await client.call('jobs.list', {})).map((j) => [j.scope, j.id])).toContainEqual(['app', started.id]);
    await expect(client.call('jobs.retry', { id: started.id, scope: 'project' })).rejects.toMatchObject({ code: 'no_project' });
    expect(fs.existsSync(path.join(temp.dir, 'home', 'graft-app.sqlite'))).toBe(true);
  });

  it('notices changes made to the open project by another Graft process', async () => {
    const file = path.join(temp.dir, 'shared.graft');
    await client.call('projects.create', { path: file });
    // Another process's connection (the CLI, a second window) creates a class.
    const other = openProjectDatabase(file);
    other.stores.library.createClass('from elsewhere');
    other.db.close();
    const what = await waitFor(() => changes.find((w) => w.includes('classes')), 5000);
    expect(what).toEqual(expect.arrayContaining(['photos', 'labels', 'classes', 'splits']));
    expect((await client.call('library.summary', {})).classes.map((c) => c.name)).toEqual(['from elsewhere']);
  });

  it('reads back the last comparison that finished, however many jobs came after it', async () => {
    const file = path.join(temp.dir, 'p.graft');
    await client.call('projects.create', { path: file });
    expect(await client.call('runs.latestComparison', {})).toBeNull();
    const row = { runId: 2, model: 'transfer', backbone: 'mobilenet_v1_0.75_224', title: 'MobileNetV1 0.75', seconds: 7.2, accuracy: 0.97, testPhotos: 200, timeRatio: 25.3, accuracyRatio: 1.92 };
    const progress = { done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null };
    const other = openProjectDatabase(file);
    const finish = (state: Job['state'], result: unknown) => {
      const id = other.stores.jobs.insert('compare', 'Compare', {}, progress, process.pid);
      return other.stores.jobs.finish(id, state, { error: null, result }, progress).id;
    };
    const kept = finish('done', { rows: [row], notes: [] });
    finish('failed', null);
    for (let i = 0; i < 60; i++) other.stores.jobs.finish(other.stores.jobs.insert('hashFolder', 'Check', {}, progress, process.pid), 'done', { error: null, result: null }, progress);
    expect((await client.call('jobs.list', {})).some((job) => job.id === kept)).toBe(false); // past the list's 50
    expect(await client.call('runs.latestComparison', {})).toMatchObject({ jobId: kept, result: { rows: [row], notes: [] } });
    finish('done', { rows: 'not a comparison' }); // a result that does not parse is never shown as a table
    other.db.close();
    expect(await client.call('runs.latestComparison', {})).toBeNull();
  });
});

