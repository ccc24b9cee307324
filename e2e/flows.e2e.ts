/// <reference lib="dom" />
/**
 * The flows a user reaches after the first training, through the UI of the browser mode: fine-tuning
 * on the real MobileNetV2 0.35, suggested labels accepted one at a time (Enter) and in bulk, the
 * export of a model folder, backbones imported from a model folder and from a TensorFlow Lite file,
 * and every action on classified photos — each checked on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionKind } from '../src/shared/api/classify';
import { writeJpeg } from '../test-support/imageFixtures';
import { makeTempDir } from '../test-support/tempDir';
import { testModelsDir } from '../test-support/testModels';
import { expectAccessible } from './support/axe';
import { openBrowserSession, ownModelsFolder, type BrowserSession } from './support/browserMode';
import { createProject, gridLabels, importFolder } from './support/flows';
import { dismissNotifications, jobEnded, jobNotification, openJobs, closeJobs, openView } from './support/views';

const BACKBONE = 'mobilenet_v2_0.35_224';
/** The smallest TensorFlow Lite model of ../shared/models/tflite (see ../shared/README.md). */
const TFLITE = 'coral_mobilenet_v1_1.0_224_quant_embedding_extractor.tflite';

/** Three colours, each a little different per photo (the same bytes would be one photo with two paths). */
const COLOURS = {
  red: (i: number) => ({ r: 220 - i * 4, g: 30 + i * 5, b: 40 }),
  green: (i: number) => ({ r: 40, g: 200 - i * 4, b: 30 + i * 5 }),
  blue: (i: number) => ({ r: 40, g: 30 + i * 5, b: 220 - i * 4 }),
};
type Colour = keyof typeof COLOURS;
const colourOf = (file: string) => path.basename(file).split('-')[0] as Colour;

let temp: ReturnType<typeof makeTempDir>;
let session: BrowserSession;
let page: Page;
let problems: string[];
/** The test models folder the app's own models folder links to; its tflite/ holds the TensorFlow Lite originals where it is ../shared/models. */
let sharedModels: string;
const dir = (...parts: string[]) => path.join(temp.dir, ...parts);

beforeAll(async () => {
  temp = makeTempDir('graft-e2e-flows-');
  for (const colour of Object.keys(COLOURS) as Colour[]) {
    const shade = COLOURS[colour];
    for (let i = 0; i < 10; i++) await writeJpeg(dir('colours', i < 6 ? 'train' : i < 8 ? 'validation' : 'test', colour, `${colour}-${i}.jpg`), shade(i));
    await writeJpeg(dir('unsorted', `${colour}-unsorted-10.jpg`), shade(10));
    await writeJpeg(dir('to-sort', colour === 'green' ? 'phone' : '', `${colour}-13.jpg`), shade(13));
  }
  for (const colour of ['red', 'blue'] as const) {
    await writeJpeg(dir('unsorted', `${colour}-unsorted-11.jpg`), COLOURS[colour](11));
    // Imported later, and classified again as copies: the "suggest" action offers their classes.
    await writeJpeg(dir('later', `${colour}-12.jpg`), COLOURS[colour](12));
    fs.copyFileSync(dir('later', `${colour}-12.jpg`), dir('to-sort', `${colour}-12.jpg`));
  }
  // The app's own models folder (imports are written there), holding the shared backbone.
  sharedModels = await testModelsDir([BACKBONE]);
  session = await openBrowserSession(dir('home'), { modelsDir: await ownModelsFolder(dir('models'), [BACKBONE]), viewport: { width: 1280, height: 900 } });
  ({ page, problems } = session);
  await page.goto(session.app.url);
  await createProject(page, dir('Colours.graft'), 'Colours');
});

afterAll(async () => {
  await session?.close();
  temp?.remove();
});

/** The grid cells shown, as [file name, the text on the cell (a suggestion reads "red? 97%", or "red? 99.7%" near certainty)]. */
async function gridCells(): Promise<[string, string][]> {
  return page.getByTestId('grid-cell').evaluateAll((elements) => elements.map((e) => [e.getAttribute('data-name') ?? '', (e.textContent ?? '').trim()] as [string, string]));
}

/** Previews an action on the results, applies it, and waits for its job; returns the preview's summary. */
async function applyAction(action: ActionKind, target: string | null, title: string): Promise<string> {
  await dismissNotifications(page);
  await page.getByTestId('action').selectOption(action);
  if (target !== null) await page.getByTestId('action-target').fill(target);
  await page.getByTestId('action-preview').click();
  const plan = page.getByTestId('action-plan');
  await plan.waitFor();
  const summary = (await plan.locator('b').first().textContent()) ?? '';
  await page.getByTestId('action-apply').click();
  expect(await jobEnded(page, title)).toBe('success');
  return summary;
}

/** The results as the JSON export wrote them. */
function readResults(file: string): { path: string; class: string; confidence: number }[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { path: string; class: string; confidence: number }[];
}

describe('Fine-tuning, suggestions, export, backbone import and result actions (browser mode)', () => {
  it('imports a labelled set and fine-tunes the top layers of MobileNetV2 0.35', async () => {
    expect(await importFolder(page, dir('colours'), true)).toBe('success');
    expect(await importFolder(page, dir('unsorted'), false)).toBe('success');
    await page.getByTestId('library-summary').filter({ hasText: '35 photos' }).waitFor();

    await openView(page, 'Train');
    await page.getByTestId('backbone').selectOption(BACKBONE);
    await page.getByTestId('train-advanced').locator('summary').click();
    await page.getByTestId('fine-tune').check();
    await page.getByTestId('fine-tune-epochs').fill('1'); // one pass: it runs on wasm
    await expectAccessible(page, 'train view, fine-tuning chosen');
    await page.getByTestId('train-start').click();
    expect(await jobEnded(page, /^Train on/, 120_000)).toBe('success');
    expect(await jobNotification(page, /^Train on/).getByRole('heading').textContent()).toBe('Train on MobileNetV2 0.35, then fine-tune its top block');

    // The run says so in the table, and the worker's own notes (one click away) say what it did.
    await page.getByTestId('runs-table').locator('tbody tr').filter({ hasText: 'MobileNetV2 0.35, fine-tuned' }).waitFor();
    const drawer = await openJobs(page);
    const row = drawer.getByTestId('job-row').filter({ hasText: 'then fine-tune its top block' });
    await row.getByText('Details').click();
    expect(await row.locator('details').textContent()).toMatch(new RegExp(`Fine-tuned the top block of ${BACKBONE.replace(/\./g, '\\.')} for 1 pass \\(best: pass 1\\)`));
    await closeJobs(page);
  }, 180_000);

  it('suggests labels for the unlabelled photos, and accepts them with Enter, one and then a selection', async () => {
    await openView(page, 'Label');
    await page.getByRole('button', { name: 'Suggest labels' }).click();
    expect(await jobEnded(page, 'Suggest labels for unlabelled photos')).toBe('success');
    const note = jobNotification(page, 'Suggest labels for unlabelled photos');
    expect(await note.textContent()).toMatch(/The model suggests labels for 5 unlabelled photos/);
    await note.getByRole('button', { name: 'Review the suggestions' }).click();
    await expect.poll(() => page.getByTestId('class-filter').inputValue()).toBe('suggested');

    // Each unlabelled photo shows its suggestion: its own colour.
    await expect.poll(async () => (await gridCells()).length).toBe(5);
    const suggested = await gridCells();
    for (const [name, text] of suggested) expect(text, name).toMatch(new RegExp(`^${colourOf(name)}\\? (> )?\\d+(\\.\\d+)?%$`));
    await expectAccessible(page, 'label view, suggestions');

    // Enter accepts the photo at the cursor: it leaves the list of suggestions.
    const first = suggested[0][0];
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await gridCells()).map(([name]) => name)).toEqual(suggested.slice(1).map(([name]) => name));
    // A selection (Ctrl+A) is accepted at once.
    await page.getByTestId('grid-cell').first().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await gridCells()).length).toBe(0);

    // Every one is now labelled with the class it was offered.
    await page.getByTestId('class-filter').selectOption({ label: 'All classes' });
    await page.getByRole('searchbox', { name: 'Search file names' }).fill('unsorted');
    await expect.poll(async () => (await gridCells()).length).toBe(5);
    const labels = await gridLabels(page);
    const names = (await gridCells()).map(([name]) => name);
    expect(names).toContain(first);
    expect(Object.fromEntries(names.map((name, i) => [name, labels[i]]))).toEqual(Object.fromEntries(suggested.map(([name]) => [name, colourOf(name)])));
    await page.getByRole('searchbox', { name: 'Search file names' }).fill('');
  }, 60_000);

  it('exports the fine-tuned model as a folder, checked against Graft’s own answers', async () => {
    await openView(page, 'Classify');
    await page.getByTestId('export-path').fill(dir('exported'));
    await page.getByTestId('export-start').click();
    expect(await jobEnded(page, 'to exported', 60_000)).toBe('success');
    const note = jobNotification(page, 'to exported');
    expect(await note.textContent()).toMatch(new RegExp(`The model is in ${dir('exported').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: checked on \\d+ photos?, the exported files give Graft's answers\\.`));
    const files = fs.readdirSync(dir('exported'), { recursive: true }).map(String).sort();
    expect(files).toEqual(['README.md', 'graft-model.json', 'labels.txt', 'model.onnx', 'tfjs', path.join('tfjs', 'model.json'), path.join('tfjs', 'weights.bin')].sort());
    expect(fs.readFileSync(dir('exported', 'labels.txt'), 'utf8').trim().split('\n').sort()).toEqual(['blue', 'green', 'red']);
    expect(JSON.parse(fs.readFileSync(dir('exported', 'graft-model.json'), 'utf8'))).toMatchObject({ format: 'graft-classifier', backbone: BACKBONE, runId: 1 });
    await expectAccessible(page, 'classify view after an export');
  }, 90_000);

  it('imports a model folder (a copy of MobileNetV2 0.35) and offers it to train on', async () => {
    fs.cpSync(path.join(sharedModels, BACKBONE), dir('to-import', 'my-mobilenet'), { recursive: true });
    await openView(page, 'Train');
    await page.getByTestId('import-backbone').locator('summary').click();
    await expectAccessible(page, 'train view, importing a model');
    await page.getByTestId('import-backbone-path').fill(dir('to-import', 'my-mobilenet'));
    await page.getByTestId('import-backbone-start').click();
    expect(await jobEnded(page, 'Import the model in my-mobilenet')).toBe('success');
    expect(await jobNotification(page, 'Import the model in my-mobilenet').textContent()).toMatch(/my-mobilenet \(imported\) can now be trained on \(1,280 features from out_relu\)\./);
    await expect.poll(() => page.getByTestId('backbone').locator('option').allTextContents()).toContain('my-mobilenet (imported)');
    expect(fs.existsSync(dir('models', 'imported_my_mobilenet', 'model.json'))).toBe(true);
  }, 60_000);

  it('imports a TensorFlow Lite file and offers it to train on', async (context) => {
    const tflite = path.join(sharedModels, 'tflite', TFLITE);
    if (!fs.existsSync(tflite)) {
      console.log(`Skipping the TensorFlow Lite import: ${tflite} is not there (the test models folder ${sharedModels} is not ../shared/models).`);
      context.skip();
    }
    await page.getByTestId('import-backbone-path').fill(tflite);
    await page.getByTestId('import-backbone-start').click();
    expect(await jobEnded(page, `Import the model in ${TFLITE}`, 60_000)).toBe('success');
    const title = `${path.basename(TFLITE, '.tflite')} (imported)`;
    expect(await jobNotification(page, `Import the model in ${TFLITE}`).textContent()).toMatch(`${title} can now be trained on (1,024 features from`);
    await expect.poll(() => page.getByTestId('backbone').locator('option').allTextContents()).toContain(title);
  }, 90_000);

  it('classifies a folder, then writes CSV and JSON, copies, moves, links, tags XMP sidecars and suggests labels', async () => {
    expect(await importFolder(page, dir('later'), false)).toBe('success');
    await openView(page, 'Classify');
    await page.getByTestId('classify-path').fill(dir('to-sort'));
    await page.getByTestId('classify-start').click();
    expect(await jobEnded(page, /^Classify to-sort/)).toBe('success');
    await expect.poll(() => page.getByTestId('classified-photo').count()).toBe(5);
    const sources = ['red-13.jpg', path.join('phone', 'green-13.jpg'), 'blue-13.jpg', 'red-12.jpg', 'blue-12.jpg'].map((f) => dir('to-sort', f)).sort();

    // CSV: one row per photo, each of its own colour.
    await applyAction('csv', dir('results.csv'), 'Export results as CSV');
    const rows = fs.readFileSync(dir('results.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('path,class,confidence,top,error');
    const csvClasses = Object.fromEntries(rows.slice(1).map((row) => row.split(',').slice(0, 2)));
    expect(csvClasses).toEqual(Object.fromEntries(sources.map((file) => [file, colourOf(file)])));

    // JSON: the same results.
    await applyAction('json', dir('results.json'), 'Export results as JSON');
    expect(Object.fromEntries(readResults(dir('results.json')).map((r) => [r.path, r.class]))).toEqual(csvClasses);

    // Copy: one folder per class, the photos left where they were.
    expect(await applyAction('copy', dir('copied'), 'Copy photos into class folders')).toMatch(/will copy 5 photos/);
    for (const file of sources) {
      expect(fs.readFileSync(dir('copied', colourOf(file), path.basename(file)))).toEqual(fs.readFileSync(file));
    }

    // Move: gone from their old place, in their class folder, and the results follow them.
    const moved = sources.map((file) => dir('sorted', colourOf(file), path.basename(file))).sort();
    const contents = sources.map((file) => fs.readFileSync(file));
    expect(await applyAction('move', dir('sorted'), 'Move photos into class folders')).toMatch(/will move 5 photos/);
    for (const [i, file] of sources.entries()) {
      expect(fs.existsSync(file), file).toBe(false);
      expect(fs.readFileSync(dir('sorted', colourOf(file), path.basename(file)))).toEqual(contents[i]);
    }
    await expect.poll(async () => (await page.getByTestId('classified-photo').evaluateAll((els) => els.map((e) => e.getAttribute('title')))).sort()).toEqual(moved);

    // JSON again to the same file: the preview says it is there, Apply asks, and the file then holds the new places.
    await dismissNotifications(page);
    await page.getByTestId('action').selectOption('json');
    await page.getByTestId('action-target').fill(dir('results.json'));
    await page.getByTestId('action-preview').click();
    await page.getByTestId('action-plan').filter({ hasText: 'a file is already there' }).waitFor();
    await page.getByTestId('action-apply').click();
    await page.getByTestId('action-confirm-replace').filter({ hasText: `${dir('results.json')} already exists` }).waitFor();
    await expectAccessible(page, 'classify view, asking to replace a file');
    expect(readResults(dir('results.json')).map((r) => r.path).sort()).toEqual(sources);
    await page.getByTestId('action-replace').click();
    expect(await jobEnded(page, 'Export results as JSON')).toBe('success');
    expect(readResults(dir('results.json')).map((r) => r.path).sort()).toEqual(moved);

    // Link: symbolic links to where the photos are now.
    expect(await applyAction('link', dir('linked'), 'Link photos into class folders')).toMatch(/will link 5 photos/);
    for (const file of moved) {
      const link = dir('linked', path.basename(path.dirname(file)), path.basename(file));
      expect(fs.lstatSync(link).isSymbolicLink(), link).toBe(true);
      expect(fs.readlinkSync(link)).toBe(file);
    }

    // XMP: a sidecar beside each photo, its class a dc:subject keyword.
    expect(await applyAction('xmp', null, 'Write class keywords to XMP sidecars')).toMatch(/will write the class as a keyword into 5 XMP sidecars/);
    for (const file of moved) {
      const sidecar = fs.readFileSync(`${file}.xmp`, 'utf8');
      expect(sidecar).toMatch(new RegExp(`<dc:subject>\\s*<rdf:Bag>\\s*<rdf:li>${colourOf(file)}</rdf:li>\\s*</rdf:Bag>\\s*</dc:subject>`));
    }

    // Suggest: the two photos that are also in the library, unlabelled, get their classes as suggestions.
    expect(await applyAction('suggest', null, 'Add predictions as suggested labels')).toMatch(/will suggest labels for 2 unlabelled photos of this project's library; 0 skipped/);
    await jobNotification(page, 'Add predictions as suggested labels').getByRole('button', { name: 'Review the suggestions' }).click();
    await expect.poll(async () => (await gridCells()).sort()).toEqual([
      ['blue-12.jpg', expect.stringMatching(/^blue\? \d+%$/)],
      ['red-12.jpg', expect.stringMatching(/^red\? \d+%$/)],
    ]);
  }, 120_000);

  it('had no Content-Security-Policy violation or page error', () => {
    expect(problems).toEqual([]);
  });
});
