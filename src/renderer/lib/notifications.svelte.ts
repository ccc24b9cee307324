/**
 * What the app tells the person: every job that ends while the window is open (done, with what it
 * made and a link to it; failed, with the reason; cancelled or interrupted), and messages of its
 * own. Failures stay until dismissed; the rest fade after a while (not while pointed at or
 * focused).
 */
import type { Job } from '../../shared/api/jobs';
import { client } from './client';
import { jobOutcome, type Outcome } from './jobOutcome';
import { jobsDrawer } from './jobsDrawer.svelte';
import { withNote } from './noteStack';

export interface Note extends Outcome {
  id: number;
  /** The job it tells about, for "Run again". */
  job?: { id: number; scope: Job['scope'] };
  /** Seconds before it fades; null: until dismissed. */
  fadeSeconds: number | null;
}

const FADE_SECONDS = 10;
const ACTIVE = new Set(['queued', 'running']);

class Notifications {
  items = $state<Note[]>([]);
  private nextId = 1;
  /** Jobs seen queued or running by this window: their end is news. */
  private active = new Set<string>();

  start(): () => void {
    return client.on('job.updated', (job) => {
      const key = `${job.scope}:${job.id}`;
      if (ACTIVE.has(job.state)) {
        this.active.add(key);
        return;
      }
      if (!this.active.delete(key)) return;
      this.push({ ...jobOutcome(job), job: { id: job.id, scope: job.scope } });
    });
  }

  push(outcome: Outcome & { job?: Note['job'] }): void {
    const lasting = outcome.tone === 'error' || outcome.tone === 'warning';
    this.items = withNote(this.items, { ...outcome, id: this.nextId++, fadeSeconds: lasting ? null : FADE_SECONDS });
  }

  /** Takes a notification away; a failure's, once dismissed, has been seen (the jobs button stops counting it). */
  dismiss(id: number): void {
    const note = this.items.find((n) => n.id === id);
    if (note?.job && note.fadeSeconds === null) jobsDrawer.markSeen([note.job]);
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export const notifications = new Notifications();
