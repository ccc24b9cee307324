/** Imports as the Library's form sees them: which are still to finish, and which brought photos in. */
import type { Job } from '../../../shared/api/jobs';
import { ImportResult } from '../../../shared/api/library';

/** Queued or running: not ended yet. */
export const unfinished = (job: Job): boolean => job.state === 'queued' || job.state === 'running';

/** The same folders, in any order. */
export function sameFolders(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((folder) => b.includes(folder));
}

/** Whether an import ended having found photos — not failed, cancelled, nor empty-handed ("No photos were found"). */
export function broughtPhotos(job: Job): boolean {
  const result = ImportResult.safeParse(job.result);
  return job.state === 'done' && result.success && result.data.found > 0;
}
