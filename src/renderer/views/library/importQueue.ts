/**
 * Imports as the Library's form sees them: which are still to finish, which folders each was
 * given, and when a new one will start. Jobs run one at a time (the job runner starts the next
 * when one ends), so an import started while others run waits for them.
 */
import type { Job } from '../../../shared/api/jobs';
import { ImportParams, ImportResult } from '../../../shared/api/library';
import { formatNumber } from '../../lib/format';

/** Queued or running: not ended yet. */
export const unfinished = (job: Job): boolean => job.state === 'queued' || job.state === 'running';

/** The folders an import job was given. */
export function importFolders(job: Job): string[] {
  const params = ImportParams.safeParse(job.params);
  return params.success ? params.data.folders : [];
}

/** The same folders, in any order. */
export function sameFolders(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((folder) => b.includes(folder));
}

/** Whether an import ended having found photos — not failed, cancelled, nor empty-handed ("No photos were found"). */
export function broughtPhotos(job: Job): boolean {
  const result = ImportResult.safeParse(job.result);
  return job.state === 'done' && result.success && result.data.found > 0;
}

/** When a job with `ahead` jobs before it will start: "starts after the one running". */
export function startsAfter(ahead: number): string {
  return ahead === 1 ? 'starts after the one running' : `starts after the ${formatNumber(ahead)} jobs ahead of it`;
}
