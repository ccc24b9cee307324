/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choiceLimits } from '../src/shared/api/training';
import { makeSlowFolder, makeTempDir } from '../test-support/tempDir';
import { openBrowserSession, type BrowserSession } from './support/browserMode';
import { writeJpeg } from '../test-support/imageFixtures';
import { checkSmallFolder, createProject, gridLabels, importFolder, reopenFromRecent, watchAndCancelJob } from './support/flows';
import { jobEnded, openView } from './support/views';

let temp: ReturnType<typeof makeTempDir>;
let session: BrowserSession;
let page: Page;
let problems: string[];

beforeAll(async () => {
  temp = makeTempDir('graft-e2e-');
  session = await openBrowserSession(path.join(temp.dir, 'home'));
  ({ page, problems } = session);
});

afterAll(async () => {
  await session?.close();
  temp?.remove();
});

describe('Graft in the browser mode', () => {
  it('opens at the printed address and hides the token from the address bar', async () => {
    await page.goto(session.app.url);
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    expect(page.url()).not.toContain('token=');
  });

  it('creates a project, then reopens it from the recent list', async () => {
    await createProject(page, path.join(temp.dir, 'Garden birds.graft'), 'Garden birds');
    await reopenFromRecent(page, 'Garden birds');
  });

  it('keeps working after a reload (the token survives in the session), with the Train view’s settings', async () => {
    await openView(page, 'Train');
    // An empty project: Compare says why it cannot start.
    expect(await page.getByTestId('compare-why-not').textContent()).toBe('Comparing can start once training can: see “Training cannot start yet” above.');
    await page.getByTestId('train-advanced').locator('summary').click();
    // The inputs stop where the jobs do, so that the form's own check and the job's agree.
    for (const [input, key] of [['#train-epochs', 'epochs'], ['#train-hidden', 'hidden'], ['[data-testid="compare-epochs"]', 'scratchEpochs']] as const) {
      const { min, max } = choiceLimits(key);
      expect([await page.locator(input).getAttribute('min'), await page.locator(input).getAttribute('max')]).toEqual([String(min), String(max)]);
    }
    await page.locator('#train-epochs').fill('40');
    await page.getByTestId('compare-epochs').fill('7');
    const remembered = () =>
      page.evaluate(() => fetch('/api/call/train.choices', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json()));
    await expect.poll(async () => (await remembered()).result).toMatchObject({ epochs: 40, scratchEpochs: 7 });
    await page.reload();
    await page.getByTestId('project-name').filter({ hasText: 'Garden birds' }).waitFor();
    await openView(page, 'Train');
    await expect.poll(() => page.getByTestId('compare-epochs').inputValue()).toBe('7');
    expect(await page.locator('#train-epochs').inputValue()).toBe('40');
    await openView(page, 'Library');
  });

  it('runs a job to its result', async () => {
    const folder = path.join(temp.dir, 'photos');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.jpg'), 'same');
    fs.writeFileSync(path.join(folder, 'b.jpg'), 'same');
    expect(await checkSmallFolder(page, folder)).toMatch(/2 files.*1 set of identical files/);
  });

  it('shows a long job’s progress and cancels it', async () => {
    await watchAndCancelJob(page, makeSlowFolder(temp.dir));
  });

  it('imports a folder, labels with the keyboard, bulk-labels a selection, undoes, and keeps labels over a reload', async () => {
    const folder = path.join(temp.dir, 'pets');
    for (let i = 0; i < 6; i++) await writeJpeg(path.join(folder, `pet-${i}.jpg`), { r: 40 * i, g: 100, b: 200 - 30 * i });
    fs.writeFileSync(path.join(folder, 'zero.jpg'), '');
    expect(await importFolder(page, folder, false)).toBe('warning'); // one file could not be imported
    await page.getByTestId('library-summary').filter({ hasText: '6 photos' }).waitFor();
    await page.getByTestId('import-problems').filter({ hasText: 'empty file' }).waitFor();

    await openView(page, 'Label');
    for (const name of ['cat', 'dog']) {
      await page.getByTestId('new-class').fill(name);
      await page.getByTestId('add-class').click();
      await page.getByTestId('class-item').filter({ hasText: name }).waitFor();
    }
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('1'); // pet-0: cat, and the cursor moves on
    await page.keyboard.press('2'); // pet-1: dog
    await expect.poll(() => gridLabels(page)).toEqual(['cat', 'dog', '', '', '', '']);

    await page.getByTestId('grid-cell').nth(2).click();
    await page.getByTestId('grid-cell').nth(4).click({ modifiers: ['Shift'] });
    await page.keyboard.press('2');
    await expect.poll(() => gridLabels(page)).toEqual(['cat', 'dog', 'dog', 'dog', 'dog', '']);

    await page.keyboard.press('Control+z');
    await expect.poll(() => gridLabels(page)).toEqual(['cat', 'dog', '', '', '', '']);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+z');

    await page.reload();
    await openView(page, 'Label');
    await expect.poll(() => gridLabels(page)).toEqual(['cat', 'dog', '', '', '', '']);
    await expect.poll(() => page.getByTestId('class-count').allTextContents()).toEqual(['1', '1']);
  });

  it('trains in one click, shows progress and the evaluation, and opens a confusion-matrix cell', async () => {
    await page.getByRole('button', { name: 'Switch project' }).click();
    await createProject(page, path.join(temp.dir, 'Colours.graft'), 'Colours');
    const folder = path.join(temp.dir, 'colours');
    for (let i = 0; i < 40; i++) {
      const split = i < 30 ? 'train' : 'test';
      const shade = 20 + i * 4;
      await writeJpeg(path.join(folder, split, 'red', `r${i}.jpg`), { r: 230 - shade / 3, g: shade, b: 40 });
      await writeJpeg(path.join(folder, split, 'blue', `b${i}.jpg`), { r: 40, g: shade, b: 230 - shade / 3 });
    }
    await importFolder(page, folder, true);

    await openView(page, 'Train');
    await page.getByTestId('backbone').selectOption('mobilenet_v2_0.35_224');
    await page.getByTestId('train-start').click();
    await page.getByTestId('jobs-button').filter({ hasText: 'Train on' }).waitFor();
    expect(await jobEnded(page, /^Train on/)).toBe('success');
    await page.getByTestId('runs-table').filter({ hasText: 'MobileNetV2 0.35' }).waitFor();
    await page.getByTestId('training-curves').waitFor();

    await page.getByTestId('open-evaluation').click();
    await page.getByTestId('confusion-matrix').waitFor();
    expect(await page.getByTestId('test-accuracy').textContent()).toMatch(/of 20 test photos right/);
    expect(await page.getByTestId('validation-note').count()).toBe(0);
    await page.getByTestId('confusion-cell').first().click();
    await page.getByRole('heading', { name: /^Labelled \w+, predicted \w+$/ }).waitFor();
    await expect.poll(() => page.getByTestId('prediction').count()).toBeGreaterThan(0);
  });

  it('classifies a folder with the trained model, filters the results, and writes a CSV after previewing it', async () => {
    const library = path.join(temp.dir, 'to-sort');
    for (let i = 0; i < 6; i++) {
      const shade = 30 + i * 10;
      await writeJpeg(path.join(library, 'camera', `red${i}.jpg`), { r: 225 - shade / 3, g: shade, b: 45 });
      await writeJpeg(path.join(library, 'phone', 'old', `blue${i}.jpg`), { r: 45, g: shade, b: 225 - shade / 3 });
    }
    fs.writeFileSync(path.join(library, 'broken.jpg'), 'not a photo');

    await openView(page, 'Classify');
    await page.getByTestId('classify-path').fill(library);
    await page.getByTestId('classify-start').click();
    expect(await jobEnded(page, /^Classify to-sort/)).toBe('warning'); // broken.jpg could not be read
    await expect.poll(() => page.getByTestId('classified-photo').count()).toBe(13);
    await page.getByTestId('chip-red').click();
    await expect.poll(() => page.getByTestId('classified-photo').count()).toBe(6);
    // The actions say they act on the photos shown, not on all of them.
    await expect.poll(() => page.getByTestId('action-scope').textContent()).toBe('Acts on the 6 photos filed as red: the photos shown above.');
    // The list's confidence filter says it only narrows what is shown (the "Unknown below" level files photos).
    expect(await page.getByLabel(/^Show only photos at least .*% sure$/).getAttribute('data-testid')).toBe('min-confidence');
    // Thumbnails are made on first view from the original files.
    await expect.poll(() => page.locator('[data-testid="classified-photo"] img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.getByTestId('chip-error').click();
    await expect.poll(() => page.getByTestId('classified-photo').textContent()).toMatch(/Could not read this file/);
    await expect.poll(() => page.getByTestId('action-scope').textContent()).toMatch(/^Acts on the 1 file that could not be read/);
    await page.getByTestId('classify-summary').getByRole('button', { name: /^All/ }).click();
    await expect.poll(() => page.getByTestId('action-scope').textContent()).toMatch(/^Acts on all 13 photos/);

    const csv = path.join(temp.dir, 'results.csv');
    await page.getByTestId('action-target').fill(csv);
    await page.getByTestId('action-preview').click();
    await page.getByTestId('action-plan').filter({ hasText: 'Will write the results' }).waitFor();
    expect(fs.existsSync(csv)).toBe(false);
    await page.getByTestId('action-apply').click();
    expect(await jobEnded(page, 'Export results as CSV')).toBe('success');
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('path,class,confidence,top,error');
    expect(lines.filter((l) => /red\d\.jpg,red,/.test(l))).toHaveLength(6);
    expect(lines).toHaveLength(14);

    // Again to the same file: the preview says it is there, and Apply asks before replacing it.
    fs.writeFileSync(csv, 'edited by the user\n');
    await page.getByTestId('chip-red').click();
    await expect.poll(() => page.getByTestId('action-scope').textContent()).toMatch(/^Acts on the 6 photos filed as red/);
    await page.getByTestId('action-preview').click();
    await page.getByTestId('action-plan').filter({ hasText: 'a file is already there' }).waitFor();
    await page.getByTestId('action-apply').click();
    await page.getByTestId('action-confirm-replace').filter({ hasText: `${csv} already exists` }).waitFor();
    expect(fs.readFileSync(csv, 'utf8')).toBe('edited by the user\n');
    await page.getByTestId('action-replace').click();
    await expect.poll(() => fs.readFileSync(csv, 'utf8').trim().split('\n').length, { timeout: 30_000 }).toBe(7);
  });

  it('shows the log from the sidebar: where the file is, and the jobs that ran', async () => {
    await page.getByTestId('show-log').click();
    const panel = page.getByTestId('log-panel');
    await panel.filter({ hasText: 'Export results as CSV' }).waitFor();
    expect(await panel.getByTestId('log-file').textContent()).toBe(path.join(temp.dir, 'home', 'logs', 'graft.log'));
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('tells the user clearly when a file is not a project', async () => {
    const notes = path.join(temp.dir, 'notes.graft');
    fs.writeFileSync(notes, 'not a database');
    await page.getByRole('button', { name: 'Switch project' }).click();
    await page.getByTestId('open-path').fill(notes);
    await page.getByTestId('open-project').click();
    await page.getByRole('alert').filter({ hasText: 'is not a Graft project' }).waitFor();
    expect(fs.readFileSync(notes, 'utf8')).toBe('not a database');
  });

  it('refuses a request or a socket without the token', async () => {
    const stranger = await session.browser.newPage(); // no cookie, no token
    const status = (await stranger.goto(`${session.app.origin}/`))?.status();
    expect(status).toBe(401);
    const outcome = await stranger.evaluate(async (origin) => {
      const api = await fetch(`${origin}/api/call/projects.recent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/events`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
      return { api: api.status, socket };
    }, session.app.origin);
    expect(outcome).toEqual({ api: 401, socket: 'refused' });
    await stranger.close();
  });

  it('had no Content-Security-Policy violation or page error', () => {
    expect(problems.filter((p) => !/401|Unauthorized/.test(p))).toEqual([]);
  });
});
