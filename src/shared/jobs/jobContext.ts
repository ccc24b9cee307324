/** What a job's code gets from the worker: a cancel signal and a throttled progress reporter. */
export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; cheap to call per item, as it sends at most ten updates a second. */
  progress(done: number, total: number | null, unit: string, message: string, metrics?: Record<string, number>): void;
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelled();
}
