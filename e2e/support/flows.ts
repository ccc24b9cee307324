/**
 * User flows shared by the browser-mode and Electron end-to-end tests: the same clicks must work
 * in both shells.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { closeJobs, jobEnded, openJobs, openView } from './views';

/** Collects Content-Security-Policy violations and uncaught errors, which must stay empty. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

export async function createProject(page: Page, file: string, name: string): Promise<void> {
  await page.getByTestId('create-path').fill(file);
  await page.getByTestId('create-project').click();
  await page.getByTestId('project-name').filter({ hasText: name }).waitFor();
}

export async function reopenFromRecent(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Switch project' }).click();
  const recent = page.getByTestId('recent-projects').getByRole('button', { name: new RegExp(`^${name}`) });
  await recent.waitFor();
  await recent.click();
  await page.getByTestId('project-name').filter({ hasText: name }).waitFor();
}

/** Starts the folder-check job on a slow folder, watches its progress move, then cancels it. */
export async function watchAndCancelJob(page: Page, slowFolder: string): Promise<void> {
  await page.getByTestId('folder-path').fill(slowFolder);
  await page.getByTestId('check-folder').click();
  const drawer = await openJobs(page);
  const running = drawer.locator('[data-testid="job-row"][data-state="running"]');
  await running.waitFor();
  const progress = running.getByTestId('job-progress');
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 20_000 }).toBeGreaterThan(0);
  const first = Number(await progress.getAttribute('value'));
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 20_000 }).toBeGreaterThan(first);
  await expect.poll(async () => (await running.textContent()) ?? '').toMatch(/left/);

  await running.getByTestId('job-cancel').click();
  await drawer.locator('[data-testid="job-row"][data-state="cancelled"]').waitFor();
  expect(await jobEnded(page, /slow-folder: cancelled/)).toBe('info');
  await closeJobs(page);
}

export async function checkSmallFolder(page: Page, folder: string): Promise<string> {
  await page.getByTestId('folder-path').fill(folder);
  await page.getByTestId('check-folder').click();
  const result = page.getByTestId('check-result');
  await result.waitFor();
  return (await result.textContent()) ?? '';
}

/** Imports a folder from the Library view and waits for its job to finish; returns how it ended (the notification's tone). */
export async function importFolder(page: Page, folder: string, folderLabels: boolean): Promise<string> {
  await openView(page, 'Library');
  await page.getByTestId('import-path').first().fill(folder);
  const box = page.getByTestId('folder-labels');
  if ((await box.isChecked()) !== folderLabels) await box.click();
  await page.getByTestId('import-start').click();
  return jobEnded(page, `Import ${path.basename(folder)}`);
}

/** The class shown on each grid cell, in grid order. */
export async function gridLabels(page: Page): Promise<string[]> {
  const cells = page.getByTestId('grid-cell');
  await cells.first().waitFor();
  return cells.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-class') ?? ''));
}
