/** Moving around the app and waiting for what it tells the user: the same in every end-to-end test. */
import type { Locator, Page } from 'playwright-core';

export type ViewName = 'Library' | 'Label' | 'Train' | 'Evaluate' | 'Try it' | 'Classify';

/** Opens a view from the sidebar (links elsewhere may have the same words). */
export async function openView(page: Page, name: ViewName): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: new RegExp(`^${name}`) }).click();
}

/** The notification about a job whose title contains `title`, once it has ended. */
export function jobNotification(page: Page, title: string | RegExp): Locator {
  return page.getByTestId('notification').filter({ has: page.getByRole('heading', { name: title }) });
}

/** Waits until the job titled `title` has ended, and says how (its notification's tone: success, warning, error, info). */
export async function jobEnded(page: Page, title: string | RegExp, timeout = 60_000): Promise<string> {
  const note = jobNotification(page, title).last();
  await note.waitFor({ timeout });
  return (await note.getAttribute('data-tone')) ?? '';
}

/** Opens the jobs drawer (the sidebar's jobs button), if it is not open. */
export async function openJobs(page: Page): Promise<Locator> {
  const drawer = page.getByTestId('jobs-drawer');
  if (!(await drawer.isVisible())) await page.getByTestId('jobs-button').click();
  await drawer.waitFor();
  return drawer;
}

export async function closeJobs(page: Page): Promise<void> {
  if (await page.getByTestId('jobs-drawer').isVisible()) await page.getByTestId('jobs-button').click();
}

/** Dismisses every notification shown (failures stay until this). */
export async function dismissNotifications(page: Page): Promise<void> {
  const close = page.getByTestId('notification').getByRole('button', { name: /^Dismiss/ });
  // One at a time, newest first (older ones may wait hidden behind "+N more"): the others may fade meanwhile.
  while ((await close.count()) > 0) await close.last().click({ timeout: 2000 }).catch(() => {});
}
