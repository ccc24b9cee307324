/** Views reload what they show when the main side says it changed (by this window, a job, or another Graft process). */
import type { Change } from '../../shared/jobs/registry';
import { client } from './client';

/** Calls `reload` with what changed (and who changed labels), when any of `shown` did; returns the unsubscribe function. */
export function onDataChanged(shown: readonly Change[], reload: (what: Change[], origin: string | undefined) => void): () => void {
  return client.on('data.changed', ({ what, origin }) => {
    if (what.some((w) => shown.includes(w))) reload(what, origin);
  });
}
