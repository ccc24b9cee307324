/**
 * Messages between the job runner (main side) and a job's worker process. Both ends validate
 * what they receive: these cross a process boundary.
 */
import { z } from 'zod';
import { JobRequest } from '../api/contract';

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), jobId: z.number().int(), projectPath: z.string(), request: JobRequest }),
  z.object({ type: z.literal('cancel') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

export const FromWorker = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    done: z.number(),
    total: z.number().nullable(),
    unit: z.string(),
    message: z.string(),
    metrics: z.record(z.string(), z.number()).optional(),
  }),
  z.object({ type: z.literal('done'), result: z.unknown() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('cancelled') }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
