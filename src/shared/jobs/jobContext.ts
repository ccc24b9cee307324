/**
 * What a job's code gets from the worker: an AbortSignal that says the user cancelled (jobs
 * check it between units of work with `signal.throwIfAborted()`), and a throttled progress
 * reporter.
 */
import type { EpochPoint } from '../api/training';

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; cheap to call per item, as it sends at most ten updates a second (and every epoch). */
  progress(done: number, total: number | null, unit: string, message: string, epoch?: EpochPoint): void;
}
