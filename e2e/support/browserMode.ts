/** Starts the real `graft serve` (the built CLI) with a private data folder, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testModelsDir } from '../../test-support/testModels';
import { watchPageProblems } from './flows';

export interface RunningApp {
  url: string;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * `modelsDir` defaults to the test models folder, which may be read-only (../shared/models): a
 * test that imports a backbone passes a folder of its own.
 */
export async function startBrowserMode(graftHome: string, modelsDir?: string): Promise<RunningApp> {
  modelsDir ??= await testModelsDir(['mobilenet_v2_0.35_224']);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'cli.cjs'), '--json', 'serve', '--no-open'], {
    env: { ...process.env, GRAFT_HOME: graftHome, GRAFT_MODELS_DIR: modelsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`graft serve exited with ${code}: ${out}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        const { url } = JSON.parse(out) as { url: string };
        const parsed = new URL(url);
        child.removeAllListeners('exit');
        resolve({
          url,
          origin: parsed.origin,
          token: parsed.searchParams.get('token')!,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      } catch {
        // not a whole JSON document yet
      }
    });
  });
}

export const CHROMIUM_PATH = process.env.GRAFT_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Flags for a sandboxed CI machine without network or GPU (running as root needs --no-sandbox).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The app in browser mode with one Chromium page open on it: how each browser e2e file starts. */
export interface BrowserSession {
  app: RunningApp;
  browser: Browser;
  page: Page;
  /** Console errors and failed requests seen by the page (each test file asserts there are none). */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowserSession(graftHome: string, options: { modelsDir?: string; viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  const app = await startBrowserMode(graftHome, options.modelsDir);
  const browser = await launchChromium();
  const page = await browser.newPage(options.viewport ? { viewport: options.viewport } : {});
  const problems = watchPageProblems(page);
  return {
    app,
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await app.stop();
    },
  };
}

/**
 * A models folder of the test's own (backbone imports and downloads write there; the shared one may
 * be read-only) holding links to the named test backbones.
 */
export async function ownModelsFolder(folder: string, ids: string[]): Promise<string> {
  const source = await testModelsDir(ids);
  fs.mkdirSync(folder, { recursive: true });
  for (const id of ids) fs.symlinkSync(path.join(source, id), path.join(folder, id));
  return folder;
}
