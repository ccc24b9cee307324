/// <reference lib="dom" />
/**
 * Issue 11 in Chromium: the app tells the user what happened. A failed import stays as a
 * notification and keeps the folder typed; the browser mode's chooser picks a folder by keyboard;
 * number keys label and move on after a click, and Ctrl+Z undoes only this window's labels; the
 * viewer says when a key changes nothing; a class without training photos blocks Train with its
 * name; the photo viewer opens from Evaluate and Classify; notifications cover no view; Try it
 * predicts a dropped photo; an import started while one runs waits its turn; axe finds no serious
 * or critical violation in any view, dialog or drawer.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../test-support/imageFixtures';
import { makeTempDir } from '../test-support/tempDir';
import { testPhotosDir } from '../test-support/testModels';
import { expectAccessible } from './support/axe';
import { openBrowserSession, type BrowserSession } from './support/browserMode';
import { createProject, gridLabels } from './support/flows';
import { closeJobs, dismissNotifications, jobEnded, jobNotification, openJobs, openView } from './support/views';

let temp: ReturnType<typeof makeTempDir>;
let session: BrowserSession;
let page: Page;
let problems: string[];

/** Whether a notification shown overlaps the view (the scrolling area that holds every view's content, charts included). */
async function notificationsCoverTheView(): Promise<boolean> {
  await page.locator('[data-testid="notification"]:not([hidden])').first().waitFor();
  return page.evaluate(() => {
    const view = document.querySelector('[data-testid="view"]')!.getBoundingClientRect();
    const notes = Array.from(document.querySelectorAll('[data-testid="notification"]:not([hidden])'), (note) => note.getBoundingClientRect());
    return notes.some((note) => note.left < view.right && note.right > view.left && note.top < view.bottom && note.bottom > view.top);
  });
}

/** At the default window size and at 900 px wide, notifications cover none of the view. */
async function expectNotificationsBesideTheView(): Promise<void> {
  for (const width of [1280, 900]) {
    await page.setViewportSize({ width, height: 820 });
    expect(await notificationsCoverTheView(), `${width} px wide`).toBe(false);
  }
  await page.setViewportSize({ width: 1280, height: 820 });
}

const red = (i: number) => ({ r: 225 - i * 3, g: 25 + i * 4, b: 40 });
const blue = (i: number) => ({ r: 40, g: 25 + i * 4, b: 225 - i * 3 });

beforeAll(async () => {
  temp = makeTempDir('graft-e2e-feedback-');
  for (let i = 0; i < 24; i++) {
    const split = i < 16 ? 'train' : i < 20 ? 'validation' : 'test';
    await writeJpeg(path.join(temp.dir, 'colours', split, 'red', `red.${i}.jpg`), red(i));
    await writeJpeg(path.join(temp.dir, 'colours', split, 'blue', `blue.${i}.jpg`), blue(i));
  }
  // Not copies of the library's photos (another size): adding one from Classify adds a photo.
  for (let i = 0; i < 3; i++) await writeJpeg(path.join(temp.dir, 'to-sort', `photo.${i}.jpg`), i === 0 ? red(5) : blue(5), 80);
  session = await openBrowserSession(path.join(temp.dir, 'home'), { viewport: { width: 1280, height: 820 } });
  ({ page, problems } = session);
  await page.goto(session.app.url);
  await page.getByRole('heading', { name: 'New project' }).waitFor();
});

// A test that fails with a dialog open (the chooser, the photo viewer) must not fail every test after
// it by covering the page: each test starts with no dialog open.
afterEach(async () => {
  await page.evaluate(() => document.querySelectorAll('dialog[open]').forEach((dialog) => (dialog as HTMLDialogElement).close()));
});

afterAll(async () => {
  await session?.close();
  temp?.remove();
});

describe('Graft tells the user what happened (browser mode)', () => {
  it('the project picker passes axe', async () => {
    await expectAccessible(page, 'project picker');
    await createProject(page, path.join(temp.dir, 'Colours.graft'), 'Colours');
  });

  it('shows a failed import as a notification that stays, and keeps the folder typed', async () => {
    await page.getByTestId('import-path').first().fill(path.join(temp.dir, 'no-such-folder'));
    await page.getByTestId('import-start').click();
    expect(await jobEnded(page, 'Import no-such-folder: failed')).toBe('error');
    await expect.poll(() => jobNotification(page, /no-such-folder/).textContent()).toMatch(/is not a folder \(it does not exist\)/);
    expect(await page.getByTestId('import-path').first().inputValue()).toBe(path.join(temp.dir, 'no-such-folder'));
    // Leaving the Library and coming back keeps it too.
    await openView(page, 'Label');
    await openView(page, 'Library');
    expect(await page.getByTestId('import-path').first().inputValue()).toBe(path.join(temp.dir, 'no-such-folder'));
    expect(await page.getByTestId('jobs-failed').textContent()).toBe('1 job failed');
    await expectAccessible(page, 'library with a failure notification');
  });

  it('chooses the folder to import in the browser mode’s chooser, with the keyboard', async () => {
    await page.getByTestId('import-path-browse').first().click();
    await page.getByTestId('file-chooser').waitFor();
    await page.getByTestId('chooser-path').fill(temp.dir);
    await page.getByTestId('chooser-path').press('Enter');
    // The chooser opened at this folder already (the parent of the path typed in the import field):
    // the typed folder is listed when the list takes the keys, and until then they would go to the path.
    // Polled for what has the focus, so that a failure says where the keys went instead.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName), { timeout: 30_000 }).toBe('chooser-list');
    await page.getByTestId('chooser-entry').filter({ hasText: 'colours' }).waitFor();
    await expectAccessible(page, 'folder chooser', '[data-testid="file-chooser"]');
    await page.keyboard.press('c'); // jumps to the first name starting with c
    await page.keyboard.press('Enter'); // opens it
    await page.getByTestId('chooser-entry').filter({ hasText: 'train' }).waitFor();
    await page.keyboard.press('Backspace'); // back up
    await page.getByTestId('chooser-entry').filter({ hasText: 'colours' }).waitFor();
    await expect.poll(() => page.getByTestId('chooser-choose').textContent()).toBe('Choose “colours”');
    await page.getByTestId('chooser-choose').click();
    expect(await page.getByTestId('import-path').first().inputValue()).toBe(path.join(temp.dir, 'colours'));
    // While the import runs, the form says so and cannot start it twice (watched as the page changes: it can be quick).
    await page.evaluate(() => {
      (window as unknown as { importingSeen: boolean }).importingSeen = false;
      const observer = new MutationObserver(() => {
        const button = document.querySelector<HTMLButtonElement>('[data-testid="import-start"]');
        const running = document.querySelector('[data-testid="import-running"]');
        if (button?.disabled && button.textContent?.trim() === 'Importing…' && running?.textContent?.includes('Import colours')) {
          (window as unknown as { importingSeen: boolean }).importingSeen = true;
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId('import-start').click();
    expect(await jobEnded(page, 'Import colours')).toBe('success');
    expect(await page.evaluate(() => (window as unknown as { importingSeen: boolean }).importingSeen)).toBe(true);
    await page.getByTestId('import-running').waitFor({ state: 'detached' });
    expect(await page.getByTestId('import-start').textContent()).toBe('Import photos');
    // The folder just chosen is offered again among the recent locations.
    await page.getByTestId('folder-path-browse').click();
    await page.getByRole('navigation', { name: 'Places' }).getByRole('button', { name: 'colours' }).waitFor();
    await page.keyboard.press('Escape');
    await expectAccessible(page, 'library');
  });

  it('labels with number keys that move on after a click, and Ctrl+Z undoes only this window’s labels', async () => {
    await openView(page, 'Label');
    await page.getByTestId('class-filter').selectOption({ label: 'All classes' });
    expect((await gridLabels(page)).slice(0, 3)).toEqual(['blue', 'blue', 'blue']);
    await page.getByTestId('grid-cell').nth(1).click();
    await page.keyboard.press('2'); // red: the clicked photo
    await page.keyboard.press('2'); // red: the next one
    await expect.poll(async () => (await gridLabels(page)).slice(0, 4)).toEqual(['blue', 'red', 'red', 'blue']);
    // Another Graft process (here: a request with another origin) labels the first photo…
    const firstId = await page.evaluate(async () => {
      const call = (method: string, params: unknown) =>
        fetch(`/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) }).then((r) => r.json());
      const { result } = await call('library.page', { limit: 1 });
      const red = (await call('library.summary', {})).result.classes.find((c: { name: string }) => c.name === 'red');
      await call('labels.set', { imageIds: [result.items[0].id], classId: red.id, origin: 'cli-e2e' });
      return result.items[0].id as number;
    });
    expect(firstId).toBeGreaterThan(0);
    await expect.poll(async () => (await gridLabels(page)).slice(0, 4)).toEqual(['red', 'red', 'red', 'blue']);
    // …and this window's Ctrl+Z undoes this window's last label, not that one.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await gridLabels(page)).slice(0, 4)).toEqual(['red', 'red', 'blue', 'blue']);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z'); // nothing left of this window's: says so
    await page.getByTestId('notification').filter({ hasText: 'Nothing to undo' }).waitFor();
    // Many notifications at once: three show and as many wait behind "+N more", which shows them all:
    // the failed import, which stays, and the newest of the others (the oldest of those have gone).
    for (let i = 0; i < 8; i++) await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('[data-testid="notification"]:not([hidden])').count()).toBe(3);
    await page.getByTestId('notifications-more').filter({ hasText: /^\+3 more$/ }).click();
    expect(await page.locator('[data-testid="notification"][hidden]').count()).toBe(0);
    await page.getByTestId('notification').filter({ hasText: 'no-such-folder' }).waitFor();
    await page.getByTestId('notifications-more').filter({ hasText: 'Show fewer' }).click();
    await openJobs(page);
    // The failed import is news until the drawer closes over it; then the jobs button stops counting it.
    await page.getByTestId('jobs-drawer').getByTestId('jobs-new-failures').filter({ hasText: 'Import no-such-folder' }).waitFor();
    expect(await page.getByTestId('jobs-failed').textContent()).toBe('1 job failed');
    await closeJobs(page);
    expect(await page.getByTestId('jobs-failed').count()).toBe(0);
    await expect.poll(async () => (await gridLabels(page)).slice(0, 4)).toEqual(['red', 'blue', 'blue', 'blue']);
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('1'); // blue again, as it came
    await expectAccessible(page, 'label view');
  });

  it('says so when a number key in the photo viewer gives a photo the label it has: nothing written, no Undo', async () => {
    await page.getByTestId('grid-cell').first().dblclick();
    const viewer = page.getByTestId('photo-viewer');
    await viewer.waitFor();
    const name = (await viewer.getByRole('heading', { level: 2 }).textContent())!;
    await page.keyboard.press('2'); // red: a change, undone at once, so that it can be redone
    await viewer.getByTestId('viewer-status').filter({ hasText: `Previous photo: ${name} is labelled red.` }).waitFor();
    await viewer.getByTestId('viewer-undo').click();
    await viewer.getByTestId('viewer-status').filter({ hasText: `Undone: ${name} is back as it was.` }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => viewer.getByTestId('viewer-label').textContent()).toBe('blue');
    await page.keyboard.press('1'); // blue, as it is: the viewer moves on and says nothing changed
    await viewer.getByTestId('viewer-status').filter({ hasText: `Previous photo: ${name} is already labelled blue: nothing changed.` }).waitFor();
    expect(await viewer.getByTestId('viewer-undo').count()).toBe(0);
    await page.keyboard.press('Escape');
    // Nothing was written: a labelling would have ended what can be redone, and the change to red still can be.
    await page.keyboard.press('Control+y');
    await expect.poll(async () => (await gridLabels(page))[0]).toBe('red');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await gridLabels(page)).slice(0, 4)).toEqual(['blue', 'blue', 'blue', 'blue']);
  });

  it('blocks Train while a class has no training photo, naming it', async () => {
    await page.getByTestId('new-class').fill('green');
    await page.getByTestId('add-class').click();
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('3'); // green
    await page.getByTestId('grid-cell').first().click();
    await page.getByTestId('pin-split').selectOption('test');
    await openView(page, 'Train');
    await page.getByTestId('readiness-blocks').filter({ hasText: '“green” has no photo in the training split' }).waitFor();
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    expect(await page.getByTestId('no-runs').textContent()).toMatch(/can start once the problems under “Training cannot start yet”/);
    await expectAccessible(page, 'train view, blocked');
    await openView(page, 'Label');
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('1');
    await openView(page, 'Train');
    await expect.poll(() => page.getByTestId('train-start').isDisabled()).toBe(false);
    await page.getByTestId('train-summary').filter({ hasText: 'to tell “blue” and “red” apart' }).waitFor();
    await page.getByTestId('no-runs').filter({ hasText: 'click Train to make the first one' }).waitFor();
  });

  it('trains, then opens the photo viewer from a confusion-matrix cell in Evaluate', async () => {
    await page.getByTestId('backbone').selectOption('mobilenet_v2_0.35_224');
    await page.getByTestId('train-advanced').locator('summary').click();
    await expectAccessible(page, 'train view with advanced settings');
    await page.getByTestId('train-start').click();
    const drawer = await openJobs(page);
    await drawer.locator('[data-testid="job-row"][data-state="running"]').filter({ hasText: 'Train on' }).waitFor();
    await expectAccessible(page, 'jobs drawer', '[data-testid="jobs-drawer"]');
    await closeJobs(page);
    expect(await jobEnded(page, /^Train on/)).toBe('success');
    await page.getByTestId('training-curves').first().waitFor();
    await expectNotificationsBesideTheView();
    // The drawer lists the failure already seen by when it ended: below the newer jobs that went well.
    const ended = (await openJobs(page)).getByTestId('jobs-ended').getByTestId('job-row');
    expect(await ended.first().textContent()).toMatch(/^Train on/);
    expect(await ended.last().textContent()).toMatch(/^Import no-such-folder/);
    await closeJobs(page);
    await page.getByTestId('runs-table').getByTestId('run-measured-on').filter({ hasText: 'test photos' }).waitFor();
    // The best run is marked in words, in the table and in Evaluate's picker (which rule: bestRun.test.ts).
    await page.getByTestId('runs-table').locator('tbody tr').first().getByTestId('best-run').filter({ hasText: 'best so far' }).waitFor();

    await jobNotification(page, /^Train on/).getByRole('button', { name: 'See how good it is' }).click();
    await page.getByTestId('confusion-matrix').waitFor();
    expect(await page.getByTestId('evaluate-run').locator('option:checked').textContent()).toMatch(/best so far$/);
    // The hardest photos are the wrong ones; right ones, if any follow, under their own heading.
    const allRight = (await page.getByTestId('test-accuracy').textContent())!.startsWith('100');
    await page.getByRole('heading', { name: 'The photos it got wrong' }).waitFor();
    expect(await page.getByTestId('predictions-caption').textContent()).toMatch(allRight ? /None: it got every one of the \d+ measuring photos right/ : /got wrong, the surest mistakes first/);
    if (allRight) await page.getByRole('heading', { name: 'Right, but least sure' }).waitFor();
    await page.getByRole('button', { name: /^Label \S+\.jpg as red$/ }).first().waitFor();
    await expectNotificationsBesideTheView();
    await expectAccessible(page, 'evaluate view');
    await page.getByTestId('confusion-cell').first().click();
    await page.getByTestId('prediction-open').first().click();
    const viewer = page.getByTestId('photo-viewer');
    await viewer.waitFor();
    await expect.poll(() => viewer.getByTestId('viewer-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await viewer.getByTestId('viewer-guesses').filter({ hasText: /blue|red/ }).waitFor();
    // The long path wraps between folders, never inside a name ("red.20.⏎jpg"), and does not overflow.
    const wrapping = await viewer.getByTestId('viewer-path').evaluate((dd) => {
      const names: Text[] = [];
      const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) names.push(walker.currentNode as Text);
      const tops = (node: Text) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return Array.from(range.getClientRects(), (r) => Math.round(r.top));
      };
      return {
        lines: new Set(names.flatMap(tops)).size,
        cutNames: names.filter((n) => new Set(tops(n)).size > 1).map((n) => n.data),
        overflows: dd.scrollWidth > dd.clientWidth,
      };
    });
    expect(wrapping.lines).toBeGreaterThan(1);
    expect(wrapping).toMatchObject({ cutNames: [], overflows: false });
    await expectAccessible(page, 'photo viewer (evaluate)', '[data-testid="photo-viewer"]');
    // The class it has already: said so, and nothing to undo.
    const label = (await viewer.getByTestId('viewer-label').textContent())!;
    await viewer.getByTestId('viewer-key').filter({ hasText: label }).click();
    await viewer.getByTestId('viewer-status').filter({ hasText: `is already labelled ${label}: nothing changed.` }).waitFor();
    expect(await viewer.getByTestId('viewer-undo').count()).toBe(0);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
  });

  it('tries dropped photos, shows the model’s guesses, and keeps every photo tried visible', async () => {
    await openView(page, 'Try it');
    await page.getByTestId('try-status').filter({ hasText: 'Ready' }).waitFor({ timeout: 60_000 });
    const drop = async (name: string, colour: { r: number; g: number; b: number }) => {
      const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: colour } }).jpeg().toBuffer();
      const dataTransfer = await page.evaluateHandle(
        ([bytes, fileName]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], fileName, { type: 'image/jpeg' }));
          return transfer;
        },
        [[...photo], name] as const,
      );
      await page.dispatchEvent('[data-testid="try-dropzone"]', 'drop', { dataTransfer });
    };
    await drop('red.jpg', red(7));
    await expect.poll(() => page.getByTestId('try-guess').first().textContent()).toMatch(/^red/);
    await drop('blue.jpg', blue(7));
    await expect.poll(() => page.getByTestId('try-guess').first().textContent()).toMatch(/^blue/);
    await drop('another red.jpg', red(9));
    await expect.poll(() => page.getByTestId('try-guess').first().textContent()).toMatch(/^red/);
    // Every photo tried stays visible in "Tried so far", the first one too (its preview was once freed).
    const history = page.getByTestId('try-history-photo');
    await expect.poll(() => history.count()).toBe(3);
    await expect
      .poll(() => history.evaluateAll((images) => images.map((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)))
      .toEqual([true, true, true]);
    await expectAccessible(page, 'try it');
  });

  it('opens a classified photo in the viewer and adds it to the library with the label given', async () => {
    await openView(page, 'Classify');
    await page.getByTestId('classify-path').fill(path.join(temp.dir, 'to-sort'));
    await page.getByTestId('classify-start').click();
    expect(await jobEnded(page, /^Classify to-sort/)).toBe('success');
    await expect.poll(() => page.getByTestId('classified-photo').count()).toBe(3);
    // Results come before what to do with them; unknown is on at the remembered level.
    const order = await page.evaluate(() => ['classified-grid', 'action-preview'].map((id) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect().top));
    expect(order[0]).toBeLessThan(order[1]);
    expect(await page.getByTestId('threshold').inputValue()).toBe('0.7');
    await expectAccessible(page, 'classify view');
    await page.getByTestId('classified-open').first().click();
    const viewer = page.getByTestId('photo-viewer');
    await viewer.waitFor();
    await expect.poll(() => viewer.getByTestId('viewer-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.keyboard.press('2'); // red: a correction that becomes training data
    // The viewer moved on to the next photo; the sentence names the one labelled, as the previous one, and can undo it.
    await viewer.getByTestId('viewer-status').filter({ hasText: 'Previous photo: photo.0.jpg is in your library as red' }).waitFor();
    expect(await viewer.getByRole('heading', { level: 2 }).textContent()).toBe('photo.1.jpg');
    await viewer.getByTestId('viewer-undo').click();
    await viewer.getByTestId('viewer-status').filter({ hasText: 'Undone: photo.0.jpg is no longer labelled red' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('2');
    await viewer.getByTestId('viewer-status').filter({ hasText: 'Previous photo: photo.0.jpg is in your library as red' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('2'); // red again: nothing to add, nothing to undo
    await viewer.getByTestId('viewer-status').filter({ hasText: 'Previous photo: photo.0.jpg is already in your library as red: nothing changed.' }).waitFor();
    expect(await viewer.getByTestId('viewer-undo').count()).toBe(0);
    await page.keyboard.press('Escape');
    await openView(page, 'Library');
    await page.getByTestId('library-summary').filter({ hasText: '49 photos' }).waitFor();
    await page.getByTestId('library-summary').filter({ hasText: /(^|\D)0 unlabelled/ }).waitFor();
  });

  it('still shows the failed import, while notifications of jobs that went well have faded', async () => {
    await jobNotification(page, 'Import no-such-folder: failed').waitFor();
    await expect.poll(() => jobNotification(page, 'Import colours').count(), { timeout: 15_000 }).toBe(0);
    await dismissNotifications(page);
    expect(await page.getByTestId('notification').count()).toBe(0);
  });

  it('starts another import while one runs: it waits its turn, in the form and in the jobs drawer', async () => {
    await openView(page, 'Library');
    const running = (title: string) => page.locator('[data-testid="import-running"][data-state="running"]').filter({ hasText: title });
    await page.getByTestId('import-path').first().fill(testPhotosDir('cats_and_dogs/train/cats'));
    await page.getByTestId('import-start').click();
    await running('Import cats').waitFor();
    // Another folder while it runs: the button says when that one will start.
    await page.getByTestId('import-path').first().fill(testPhotosDir('cats_and_dogs/validation/dogs'));
    await expect.poll(() => page.getByTestId('import-start').textContent()).toBe('Import — starts after the one running');
    await page.getByTestId('import-start').click();
    await page.locator('[data-testid="import-running"][data-state="queued"]').filter({ hasText: 'Import dogs' }).filter({ hasText: 'Waiting: starts after the one running' }).waitFor();
    // Not twice: the folders typed are the waiting import's.
    expect(await page.getByTestId('import-start').textContent()).toBe('Waiting to start…');
    expect(await page.getByTestId('import-start').isDisabled()).toBe(true);
    await expectAccessible(page, 'library with an import waiting');
    const drawer = await openJobs(page);
    await drawer.locator('[data-testid="job-row"][data-state="queued"]').filter({ hasText: 'Import dogs' }).getByTestId('job-state').filter({ hasText: 'Waiting' }).waitFor();
    // When the running one ends (here: cancelled), the waiting one starts.
    await drawer.locator('[data-testid="job-row"][data-state="running"]').filter({ hasText: 'Import cats' }).getByTestId('job-cancel').click();
    await drawer.locator('[data-testid="job-row"][data-state="running"]').filter({ hasText: 'Import dogs' }).getByTestId('job-cancel').click();
    expect(await jobEnded(page, 'Import dogs: cancelled')).toBe('info');
    await closeJobs(page);
    expect(await page.getByTestId('import-start').textContent()).toBe('Import photos');
  });

  it('keeps the folder typed when an import finds no photos in it', async () => {
    fs.mkdirSync(path.join(temp.dir, 'no-photos'));
    await page.getByTestId('import-path').first().fill(path.join(temp.dir, 'no-photos'));
    await page.getByTestId('import-start').click();
    expect(await jobEnded(page, 'Import no-photos')).toBe('warning');
    await expect.poll(() => jobNotification(page, 'Import no-photos').textContent()).toMatch(/No photos were found/);
    expect(await page.getByTestId('import-path').first().inputValue()).toBe(path.join(temp.dir, 'no-photos'));
  });

  it('had no Content-Security-Policy violation or page error', () => {
    expect(problems.join('\n')).toBe('');
    expect(fs.existsSync(path.join(temp.dir, 'Colours.graft'))).toBe(true);
  });
});
