/**
 * Classify → Import results…: the shards of a cluster job (written here by the same writer
 * `graft classify --shard` uses) brought into a project from the browser mode, then shown as the
 * project's results.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test-support/tempDir';
import { partitionKey, shardFileName, shardOf } from '../src/shared/sharding';
import { writeManifest } from '../src/node/results/shardFiles';
import { openStreamSink } from '../src/node/results/streamSink';
import { openBrowserSession, type BrowserSession } from './support/browserMode';
import { createProject } from './support/flows';

let temp: ReturnType<typeof makeTempDir>;
let session: BrowserSession;
let page: Page;
let problems: string[];

const LABELS = ['cat', 'dog'];
const SHARDS = 2;

/** Two shards of a 30-photo archive: shard 0 complete, shard 1 killed after 3 photos. */
async function writeShards(folder: string): Promise<number> {
  const keys = Array.from({ length: 30 }, (_, i) => partitionKey(`roll/IMG_${i}.jpg`));
  const model = { identity: `onnx:${'e'.repeat(64)}`, name: 'pets (exported run 1)', labels: LABELS, folder: '/model' };
  let written = 0;
  fs.mkdirSync(folder, { recursive: true });
  for (let index = 0; index < SHARDS; index++) {
    const mine = keys.filter((k) => shardOf(k, SHARDS) === index);
    const rows = index === 0 ? mine : mine.slice(0, 3);
    const out = path.join(folder, shardFileName({ index, count: SHARDS }));
    const sink = await openStreamSink(out, 'jsonl', LABELS, 0, (p) => path.relative('/archive', p));
    sink.write(rows.map((k, i) => ({ path: `/archive/${k}`, size: 100, mtimeMs: 1, hash: (index * 100 + i).toString(16).padStart(64, '0'), top: [[i % 2, 0.75], [1 - (i % 2), 0.25]], error: null })));
    sink.close();
    writeManifest(out, { model, shard: { index, count: SHARDS, source: 'flag', detail: 'test' }, listing: { kind: 'folders', roots: ['/archive'] }, listingTotal: 30, photos: mine.length, repeated: 0, complete: index === 0, rows: rows.length });
    written += rows.length;
  }
  return written;
}

beforeAll(async () => {
  temp = makeTempDir('graft-e2e-import-');
  session = await openBrowserSession(path.join(temp.dir, 'home'));
  ({ page, problems } = session);
});

afterAll(async () => {
  await session?.close();
  temp?.remove();
});

describe('Import results… in the Classify view', () => {
  it('imports the shards of a cluster job, says what is missing, and shows the photos as results', async () => {
    const written = await writeShards(path.join(temp.dir, 'results'));
    await page.goto(session.app.url);
    await createProject(page, path.join(temp.dir, 'Archive.graft'), 'Archive');
    await page.getByRole('button', { name: /^Classify/ }).click();
    await page.getByTestId('import-results-open').click();
    await page.getByTestId('import-results-path').fill(path.join(temp.dir, 'results'));
    await page.getByTestId('import-results-start').click();
    const outcome = page.getByTestId('import-results-outcome');
    await outcome.waitFor();
    expect(await outcome.textContent()).toMatch(new RegExp(`${written} photos added, 0 changed, 0 already here\\.\\s*${30 - written} photos missing from every shard`));
    await outcome.getByText('Details').click();
    expect(await outcome.textContent()).toMatch(/Shard 1 did not finish/);
    // The results view reloads with the imported model's photos.
    await page.getByText(`pets (exported run 1) — ${written} photos`).waitFor();
    // The photos live on the cluster's share, not here: their thumbnails are not found (404), nothing else may fail.
    expect(problems.filter((p) => !/^Failed to load resource: the server responded with a status of 404/.test(p))).toEqual([]);
  });
});
