/// <reference lib="dom" />
/**
 * The same user flow as the browser-mode test, in the real Electron window (Playwright's
 * _electron). Where no Electron binary exists (as on machines that cannot download it), every
 * test here is skipped with the reason printed.
 */
import { execFileSync, spawn } from 'node:child_process';
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

/** A project made by the built CLI (its own data folder), for the app to be handed. */
function cliProject(dir: string, name: string): string {
  const file = path.join(dir, `${name}.graft`);
  execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), 'project', 'create', file, '--name', name], { env: { ...process.env, GRAFT_HOME: path.join(dir, 'cli-home') } });
  return file;
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

  it('denies every permission check', async () => {
    const states = await page.evaluate(async () => Promise.all(['geolocation', 'notifications', 'camera'].map(async (name) => (await navigator.permissions.query({ name: name as PermissionName })).state)));
    expect(states).toEqual(['denied', 'denied', 'denied']);
  });

  it('keeps redirects and subframe navigations on its own pages', async () => {
    // The navigation events a server redirect or an injected frame would raise, handed to the
    // window's own listeners: only graft-app://renderer/ may proceed.
    const prevented = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0].webContents;
      const tryNavigation = (event: string, url: string) => {
        let stopped = false;
        contents.emit(event, { url, preventDefault: () => (stopped = true) });
        return stopped;
      };
      return {
        redirect: tryNavigation('will-redirect', 'https://example.com/'),
        frame: tryNavigation('will-frame-navigate', 'https://example.com/'),
        lookAlike: tryNavigation('will-frame-navigate', 'graft-app://renderer.example.com/'),
        own: tryNavigation('will-frame-navigate', 'graft-app://renderer/index.html'),
      };
    });
    expect(prevented).toEqual({ redirect: true, frame: true, lookAlike: true, own: false });
  });

  it('a second Graft hands its project file over and quits at once', async () => {
    const file = cliProject(temp.dir, 'Handed over');
    const second = spawn(binary.path!, [path.join(root, 'dist', 'electron-main.cjs'), file], { env: { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home') }, stdio: 'ignore' });
    const code = await new Promise((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    await page.getByTestId('project-name').filter({ hasText: 'Handed over' }).waitFor();
  });

  it('opens a .graft file the system hands it (macOS open-file)', async () => {
    const file = cliProject(temp.dir, 'From the Finder');
    await app.evaluate(({ app: electronApp }, projectFile) => void electronApp.emit('open-file', { preventDefault: () => undefined }, projectFile), file);
    await page.getByTestId('project-name').filter({ hasText: 'From the Finder' }).waitFor();
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
