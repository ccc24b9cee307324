/* global document, HTMLImageElement -- inside page.waitForFunction, which runs in the page */
// Library benchmark: builds a project of N generated photos (default 100,000) and prints
//   - the import rate (photos/s, content hashing and thumbnails included),
//   - the time from opening the Label view to the first painted thumbnails,
//   - the time from a label keypress to its row being committed in SQLite (median of 20).
// Usage: npm run build && node bench/library.bench.mjs [--count 100000] [--dir /tmp/graft-bench] [--ui-only]
// Needs /usr/bin/chromium. Prints numbers; asserts nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { labelKeypressLatencies, launchChromium, serveProject } from './support/browserApp.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const count = Number(arg('count', '100000'));
const dir = path.resolve(arg('dir', '/tmp/graft-bench'));
const photos = path.join(dir, 'photos');
const project = path.join(dir, 'bench.graft');
const cli = path.join(root, 'dist', 'cli.cjs');
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home') };

/** 96x96 JPEGs, each unique: a gradient with the photo's number written into its pixels. */
async function generate() {
  const existing = fs.existsSync(photos) ? fs.readdirSync(photos, { recursive: true }).filter((f) => String(f).endsWith('.jpg')).length : 0;
  if (existing >= count) return;
  fs.mkdirSync(photos, { recursive: true });
  const started = Date.now();
  let next = 0;
  const size = 96;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const pixels = Buffer.alloc(size * size * 3);
        for (let p = 0; p < size * size; p++) {
          pixels[p * 3] = (p + i) % 256;
          pixels[p * 3 + 1] = (p * 3 + (i >> 8)) % 256;
          pixels[p * 3 + 2] = ((i >> (8 * (p % 3))) * 37) % 256;
        }
        const folder = path.join(photos, `folder-${Math.floor(i / 1000)}`);
        fs.mkdirSync(folder, { recursive: true });
        await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 85 }).toFile(path.join(folder, `photo-${i}.jpg`));
      }
    }),
  );
  console.log(`generated ${count} photos in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function importRate() {
  fs.rmSync(project, { force: true });
  fs.rmSync(`${project}-cache`, { recursive: true, force: true });
  const out = execFileSync(process.execPath, [cli, '--json', '--no-progress', 'import', photos, '--project', project], { env, maxBuffer: 1 << 26 });
  const result = JSON.parse(out.toString());
  return { photos: result.added, seconds: result.seconds, rate: result.added / result.seconds };
}

async function uiTimings() {
  const app = await serveProject(cli, project, env);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId('project-name').waitFor();
    const started = Date.now();
    await page.getByRole('button', { name: /^Label/ }).click();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="grid-cell"] img');
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
    });
    const firstPaintMs = Date.now() - started;
    const latencies = await labelKeypressLatencies(page, project);
    return { firstPaintMs, keypressToCommitMs: { median: latencies[10], max: latencies.at(-1) } };
  } finally {
    await browser.close();
    app.stop();
  }
}

// --ui-only measures the user interface again on the project a previous run imported.
const uiOnly = process.argv.includes('--ui-only') && fs.existsSync(project);
if (!uiOnly) {
  await generate();
  const imported = importRate();
  console.log(`import: ${imported.photos} photos in ${imported.seconds.toFixed(1)} s = ${imported.rate.toFixed(0)} photos/s (hashing, decoding, thumbnails, SQLite)`);
}
const ui = await uiTimings();
console.log(`Label view with ${count} photos: first thumbnails painted ${ui.firstPaintMs} ms after the click`);
console.log(`label keypress → row committed: median ${ui.keypressToCommitMs.median.toFixed(1)} ms, worst of 20 ${ui.keypressToCommitMs.max.toFixed(1)} ms`);
