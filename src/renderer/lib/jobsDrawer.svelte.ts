/**
 * The jobs drawer's state: whether it is open (behind the sidebar's jobs button), and which failures
 * the person has seen — in the drawer, once closed over them, or by dismissing their notification —
 * so the jobs button counts only the new ones. Kept in the session, so a reload does not shout about
 * them again.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { Job } from '../../shared/api/jobs';
import { app } from './appState.svelte';

const KEY = 'graft.seenFailures';

class JobsDrawer {
  open = $state(false);
  private seen = new SvelteSet<string>(JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as string[]);

  /** A job's key across projects: project jobs' ids count per project. */
  private key(job: { id: number; scope: Job['scope'] }): string {
    return job.scope === 'app' ? `app:${job.id}` : `${app.project?.path ?? ''}|${job.id}`;
  }

  isSeen = (job: { id: number; scope: Job['scope'] }): boolean => this.seen.has(this.key(job));

  markSeen(jobs: { id: number; scope: Job['scope'] }[]): void {
    for (const job of jobs) this.seen.add(this.key(job));
    sessionStorage.setItem(KEY, JSON.stringify([...this.seen]));
  }
}

export const jobsDrawer = new JobsDrawer();
