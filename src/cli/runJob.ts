/** Runs one job from the command line: a progress bar while it runs, Ctrl+C cancels it. */
import type { GraftClient } from '../shared/api/client';
import type { Job } from '../shared/api/jobs';
import type { JobRequest } from '../shared/jobs/registry';
import { ProgressBar } from './progressBar';

const TERMINAL = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export async function runJob(client: GraftClient, request: JobRequest, showProgress: boolean): Promise<Job> {
  const bar = new ProgressBar(process.stderr, showProgress);
  let jobId: number | null = null;
  let finish: (job: Job) => void = () => {};
  const finished = new Promise<Job>((resolve) => (finish = resolve));
  const early: Job[] = [];

  const onUpdate = (job: Job) => {
    if (jobId === null) return void early.push(job);
    if (job.id !== jobId) return;
    if (TERMINAL.has(job.state)) finish(job);
    else bar.update(job.title, job.progress);
  };
  const unsubscribe = client.on('job.updated', onUpdate);
  const onInterrupt = () => {
    if (jobId === null) return;
    process.stderr.write('\nCancelling…\n');
    void client.call('jobs.cancel', { id: jobId });
  };
  process.on('SIGINT', onInterrupt);
  try {
    const started = await client.call('jobs.start', request);
    jobId = started.id;
    early.splice(0).forEach(onUpdate);
    if (TERMINAL.has(started.state)) finish(started);
    return await finished;
  } finally {
    bar.done();
    process.off('SIGINT', onInterrupt);
    unsubscribe();
  }
}
