/// <reference lib="dom" />
/**
 * The same user flow as the browser-mode test, in the real Electron window (Playwright's
 * _electron). Where no Electron binary exists (as on machines that cannot download it), every
 * test here is skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSlowFolder, makeTempDir } from '../test-support/tempDir';
import { createProject, reopenFromRecent, watchAndCancelJob, watchPageProblems } from './support/flows';

const root = path.resolve(import.meta.dirname, '..');

function electronBinary(): { path?: string; reason?: string } {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    if (typeof binary === 'string' && fs.existsSync(binary)) return { path: binary };
    return { reason: 'the electron package has no binary' };
  } catch (error) {
    return { reason: `the Electron binary is not installed (${(error as Error).message.split('\n')[0]})` };
  }
}

const binary = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = binary.reason ?? (noDisplay ? 'there is no display (run under xvfb-run)' : undefined);
if (skipReason) console.log(`Skipping the Electron end-to-end tests: ${skipReason}.`);

describe.skipIf(Boolean(skipReason))('Graft in Electron', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let app: ElectronApplication;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'electron-native.mjs')], { stdio: 'inherit' });
    temp = makeTempDir('graft-electron-');
    app = await _electron.launch({
      executablePath: binary.path,
      args: [path.join(root, 'dist', 'electron-main.cjs')],
      env: { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home') },
    });
    page = await app.firstWindow();
    problems = watchPageProblems(page);
  });

  afterAll(async () => {
    await app?.close();
    temp?.remove();
  });

  it('opens a hardened window', async () => {
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    const exposed = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      transport: Object.keys((window as unknown as { graftTransport: object }).graftTransport).sort(),
    }));
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', transport: ['invoke', 'subscribe'] });
  });

  it('creates a project and reopens it from the recent list', async () => {
    await createProject(page, path.join(temp.dir, 'Garden birds.graft'), 'Garden birds');
    await reopenFromRecent(page, 'Garden birds');
  });

  it('shows a long job’s progress and cancels it', async () => {
    await watchAndCancelJob(page, makeSlowFolder(temp.dir));
  });

  it('blocks navigation away from the app and new windows', async () => {
    await page.evaluate(() => window.open('https://example.com'));
    await page.evaluate(() => (window.location.href = 'https://example.com'));
    await page.waitForTimeout(300);
    expect(app.windows()).toHaveLength(1);
    expect(page.url()).toMatch(/^graft-app:\/\/renderer\//);
  });

  it('had no Content-Security-Policy violation or page error', () => {
    expect(problems).toEqual([]);
  });
});
