/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSlowFolder, makeTempDir } from '../test-support/tempDir';
import { launchChromium, startBrowserMode, type RunningApp } from './support/browserMode';
import { checkSmallFolder, createProject, reopenFromRecent, watchAndCancelJob, watchPageProblems } from './support/flows';

let temp: ReturnType<typeof makeTempDir>;
let app: RunningApp;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  temp = makeTempDir('graft-e2e-');
  app = await startBrowserMode(path.join(temp.dir, 'home'));
  browser = await launchChromium();
  page = await browser.newPage();
  problems = watchPageProblems(page);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  temp?.remove();
});

describe('Graft in the browser mode', () => {
  it('opens at the printed address and hides the token from the address bar', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    expect(page.url()).not.toContain('token=');
  });

  it('creates a project, then reopens it from the recent list', async () => {
    await createProject(page, path.join(temp.dir, 'Garden birds.graft'), 'Garden birds');
    await reopenFromRecent(page, 'Garden birds');
  });

  it('keeps working after a reload (the token survives in the session)', async () => {
    await page.reload();
    await page.getByTestId('project-name').filter({ hasText: 'Garden birds' }).waitFor();
  });

  it('runs a job to its result', async () => {
    const folder = path.join(temp.dir, 'photos');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.jpg'), 'same');
    fs.writeFileSync(path.join(folder, 'b.jpg'), 'same');
    expect(await checkSmallFolder(page, folder)).toMatch(/2 files.*1 sets of identical files/);
  });

  it('shows a long job’s progress and cancels it', async () => {
    await watchAndCancelJob(page, makeSlowFolder(temp.dir));
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
    const stranger = await browser.newPage(); // no cookie, no token
    const status = (await stranger.goto(`${app.origin}/`))?.status();
    expect(status).toBe(401);
    const outcome = await stranger.evaluate(async (origin) => {
      const api = await fetch(`${origin}/api/call/projects.recent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/events`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
      return { api: api.status, socket };
    }, app.origin);
    expect(outcome).toEqual({ api: 401, socket: 'refused' });
    await stranger.close();
  });

  it('had no Content-Security-Policy violation or page error', () => {
    expect(problems.filter((p) => !/401|Unauthorized/.test(p))).toEqual([]);
  });
});
