/**
 * "Download and train": one click starts the app's download job for a backbone not on this
 * computer, and its training once the download is done — in the project that was open, even if
 * the person has moved to another view meanwhile. A failed or cancelled download starts nothing
 * (its notification says why). The wait lives in this window: a reload forgets it.
 */
import type { Job } from '../../../shared/api/jobs';
import type { JobRequestInput } from '../../../shared/jobs/registry';
import { app } from '../../lib/appState.svelte';
import { client } from '../../lib/client';

type TrainRequest = Extract<JobRequestInput, { kind: 'train' }>;

interface Waiting {
  downloadJobId: number;
  backbone: string;
  projectPath: string;
  train: TrainRequest['params'];
}

class DownloadThenTrain {
  /** The download whose end starts a training, if any. */
  waiting = $state<Waiting | null>(null);
  private stopListening: (() => void) | null = null;

  async start(backbone: string, train: TrainRequest['params']): Promise<void> {
    const projectPath = app.project?.path;
    if (!projectPath) return;
    const job = await app.attempt(() => client.call('jobs.start', { kind: 'downloadBackbone', params: { backbone } }));
    if (!job) return;
    this.waiting = { downloadJobId: job.id, backbone, projectPath, train };
    this.stopListening ??= client.on('job.updated', (update) => this.onJob(update));
    // It may have ended before this window heard of it (a backbone already there).
    const known = app.jobs.find((j) => j.scope === 'app' && j.id === job.id);
    if (known) this.onJob(known);
  }

  private onJob(job: Job): void {
    const waiting = this.waiting;
    if (!waiting || job.scope !== 'app' || job.id !== waiting.downloadJobId) return;
    if (job.state === 'queued' || job.state === 'running') return;
    this.waiting = null;
    if (job.state === 'done' && app.project?.path === waiting.projectPath) {
      void app.attempt(() => client.call('jobs.start', { kind: 'train', params: waiting.train }));
    }
  }
}

export const downloadThenTrain = new DownloadThenTrain();
