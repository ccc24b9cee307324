/**
 * Files that could not be imported are remembered with their size and modification time: the
 * next import reports them again without reading them (a 1 GiB "photo" is not hashed every
 * time), until they change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { useTempProject } from '../../../test-support/tempProject';
import { projectEnvironment } from '../../../test-support/jobEnvironment';
import * as photoFile from '../../node/photos/photoFile';
import { importPhotos } from './importPhotos';

vi.mock('../../node/photos/photoFile', async (original) => {
  const actual = await original<typeof photoFile>();
  return { ...actual, readPhoto: vi.fn(actual.readPhoto) };
});

const scratch = useTempProject();

beforeEach(() => {
  vi.mocked(photoFile.readPhoto).mockClear();
});

const readsOf = (file: string) => vi.mocked(photoFile.readPhoto).mock.calls.filter(([f]) => f === file).length;

describe('problem files', () => {
  it('are reported again on the next import without being read, until they change', async () => {
    const root = path.join(scratch.dir, 'photos');
    const bad = path.join(root, 'notes.jpg');
    fs.mkdirSync(root);
    fs.writeFileSync(bad, 'this is not a photo\n');
    await writeJpeg(path.join(root, 'good.jpg'), { r: 10, g: 200, b: 10 });
    const run = () => importPhotos({ folders: [root], folderLabels: false }, projectEnvironment(scratch.project));

    const first = await run();
    expect(first.problems).toEqual([{ path: bad, reason: expect.stringMatching(/not a readable image/) }]);
    expect(readsOf(bad)).toBe(1);

    const second = await run();
    expect(second.problems).toEqual(first.problems);
    expect(readsOf(bad)).toBe(1);
    expect(scratch.project.stores.library.summary().problems).toEqual(first.problems);

    // Changed (here: the same size, a new modification time): read again, and now it imports.
    const photo = await import('sharp').then(({ default: sharp }) => sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).jpeg().toBuffer());
    fs.writeFileSync(bad, photo);
    fs.utimesSync(bad, new Date(), new Date(Date.now() + 5000));
    const third = await run();
    expect(readsOf(bad)).toBe(2);
    expect(third).toMatchObject({ added: 1, problems: [] });
    expect(scratch.project.stores.library.summary().problems).toEqual([]);
  });

  it('are read again when the problem was access, not content (permission can be fixed without changing the file)', async () => {
    const root = path.join(scratch.dir, 'photos');
    const locked = path.join(root, 'locked.jpg');
    await writeJpeg(locked, { r: 1, g: 2, b: 3 });
    // As when the file cannot be opened (this may run as root, whom chmod does not stop).
    vi.mocked(photoFile.readPhoto).mockResolvedValueOnce({ ok: false, stat: null, reason: 'permission denied' });
    const run = () => importPhotos({ folders: [root], folderLabels: false }, projectEnvironment(scratch.project));
    expect((await run()).problems).toEqual([{ path: locked, reason: 'permission denied' }]);
    expect(await run()).toMatchObject({ added: 1, problems: [] });
    expect(readsOf(locked)).toBe(2);
  });

  it('are each reported when several copies of the same undecodable content are imported at once', async () => {
    const root = path.join(scratch.dir, 'photos');
    fs.mkdirSync(root);
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) fs.writeFileSync(path.join(root, name), 'the same bytes, not a photo\n');
    await writeJpeg(path.join(root, 'good.jpg'), { r: 10, g: 200, b: 10 });
    const result = await importPhotos({ folders: [root], folderLabels: false }, projectEnvironment(scratch.project));
    expect(result.added).toBe(1);
    expect(result.problems.map((p) => path.basename(p.path)).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(result.problems.every((p) => /not a readable image/.test(p.reason))).toBe(true);
    // Every file's bytes were given back once decoded (or not needed): none left counted as held.
    expect(photoFile.wholeBytesInFlight()).toBe(0);
  });
});
