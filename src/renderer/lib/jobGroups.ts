/**
 * The jobs drawer's groups. Running and waiting jobs first. Then the failures not seen yet (the
 * drawer has not been closed over them, nor their notification dismissed), newest first: they are
 * news. Then every other job that ended, newest ended first — a failure once seen takes its place
 * among them by when it ended, so an old failure never sits above newer jobs that finished.
 * Failures are never hidden; of the jobs that went well (or were cancelled), the latest ten.
 */
import type { Job } from '../../shared/api/jobs';

const FINISHED_SHOWN = 10;
const isActive = (job: Job) => job.state === 'running' || job.state === 'queued';
export const isFailure = (job: Job): boolean => job.state === 'failed' || job.state === 'interrupted';
/** When it ended; a job interrupted by a crash may have no end recorded: when it was made. */
const endedAt = (job: Job) => Date.parse(job.finishedAt ?? job.createdAt);
const newestEndedFirst = (a: Job, b: Job) => endedAt(b) - endedAt(a);

export interface JobGroups {
  active: Job[];
  newFailures: Job[];
  ended: Job[];
}

export function jobGroups(jobs: readonly Job[], seen: (job: Job) => boolean): JobGroups {
  const newFailures = jobs.filter((job) => isFailure(job) && !seen(job)).sort(newestEndedFirst);
  const finished = jobs.filter((job) => !isActive(job) && !isFailure(job)).sort(newestEndedFirst).slice(0, FINISHED_SHOWN);
  const seenFailures = jobs.filter((job) => isFailure(job) && seen(job));
  return { active: jobs.filter(isActive), newFailures, ended: [...finished, ...seenFailures].sort(newestEndedFirst) };
}
