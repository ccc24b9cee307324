/**
 * Messages between the job runner (main side) and a job's worker process. Both ends validate
 * what they receive: these cross a process boundary.
 */
import { z } from 'zod';
import { EpochPoint } from '../api/training';
import { JobRequest } from './registry';

export const ToWorker = z.discriminatedUnion('type', [
  /** Run this job; projectPath is null for the app's own jobs. */
  z.object({ type: z.literal('run'), jobId: z.number().int(), projectPath: z.string().nullable(), request: JobRequest }),
  z.object({ type: z.literal('cancel') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

export const ProgressMessage = z.object({
  type: z.literal('progress'),
  done: z.number(),
  total: z.number().nullable(),
  unit: z.string(),
  message: z.string(),
  epoch: EpochPoint.optional(),
});

export const FromWorker = z.discriminatedUnion('type', [
  ProgressMessage,
  z.object({ type: z.literal('done'), result: z.unknown() }),
  /** `stack`: where it failed in the worker, for the log (the message is what people see). */
  z.object({ type: z.literal('failed'), message: z.string(), stack: z.string().optional() }),
  z.object({ type: z.literal('cancelled') }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
