/** Jobs as the user sees them: state and progress of long work. */
import { z } from 'zod';
import { EpochPoint } from './training';


export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  done: z.number(),
  total: z.number().nullable(),
  /** What `done` and `total` count, e.g. "files" or "bytes". */
  unit: z.string(),
  message: z.string(),
  /** The epoch that just ended, for the live training curves. */
  epoch: EpochPoint.optional(),
  /** Units per second since the job started running, when enough has been seen to say. */
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.number().int(),
  /** Where it is recorded: the open project, or the app's own data (jobs that need no project). Ids count per scope. */
  scope: z.enum(['project', 'app']),
  kind: z.string(),
  title: z.string(),
  params: z.record(z.string(), z.unknown()),
  state: JobState,
  progress: JobProgress,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  result: z.unknown().nullable(),
});
export type Job = z.infer<typeof Job>;
