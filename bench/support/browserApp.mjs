// What the benchmarks that drive the app in Chromium share: `graft serve` on a project, Chromium,
// and the measure of a label keypress until its row is committed in SQLite.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';

/** Starts `graft serve --project` and resolves with its address and a way to stop it. */
export async function serveProject(cli, project, env) {
  const server = spawn(process.execPath, [cli, '--json', 'serve', '--no-open', '--project', project], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((resolve) =>
    server.stdout.on('data', (chunk) => {
      out += chunk;
      try {
        resolve(JSON.parse(out).url);
      } catch {
        // not yet a whole document
      }
    }),
  );
  return { url, stop: () => server.kill() };
}

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/**
 * Opens the Label view on the "Unlabelled" filter, creates a class if there is none, and presses
 * `1` `presses` times, each time waiting until a label more is committed in the project file.
 * Returns the latencies in milliseconds, sorted.
 */
export async function labelKeypressLatencies(page, project, presses = 20) {
  await page.getByTestId('project-name').waitFor();
  await page.getByRole('button', { name: /^Label/ }).click();
  await page.getByTestId('grid-cell').first().waitFor();
  if ((await page.getByTestId('class-item').count()) === 0) {
    await page.getByTestId('new-class').fill('bench');
    await page.getByTestId('add-class').click();
    await page.getByTestId('class-item').first().waitFor();
  }
  await page.getByTestId('class-filter').selectOption('unlabelled');
  await page.waitForTimeout(1000);
  await page.getByTestId('grid-cell').first().click();
  const read = new Database(project, { readonly: true, fileMustExist: true });
  const labelled = read.prepare('SELECT COUNT(*) AS n FROM images WHERE class_id IS NOT NULL');
  const latencies = [];
  try {
    for (let i = 0; i < presses; i++) {
      const before = labelled.get().n;
      const t = process.hrtime.bigint();
      await page.keyboard.press('1');
      while (labelled.get().n === before) {
        if (Number(process.hrtime.bigint() - t) / 1e6 > 10_000) throw new Error(`a label keypress was not committed within 10 s (press ${i + 1})`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    read.close();
  }
  return latencies.sort((a, b) => a - b);
}
