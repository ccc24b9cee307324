/** What every command shares: the global options, output, and a service with or without a project. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { GraftClient } from '../shared/api/client';
import type { Job } from '../shared/api/jobs';
import { GraftError } from '../shared/api/errors';
import { GraftService } from '../app/service/graftService';
import { inProcessClient } from '../app/service/inProcessClient';
import { forkWorker } from '../app/jobs/workerLauncher';
import { takeWorkerAhead } from './workerAhead';

export interface GlobalOptions {
  json?: boolean;
  progress: boolean;
  cpu?: boolean;
  verbose?: boolean;
}

/** This command's origin of label changes: an open window's undo never undoes them (and they never undo its). */
export const cliOrigin = `cli-${randomUUID()}`;

/** An option's integer argument (commander passes strings). */
export const integer = (value: string): number => Number.parseInt(value, 10);

export function output(json: boolean | undefined, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** A service and client for one command, shut down (jobs stopped, project closed) afterwards. */
export async function withService<T>(use: (client: GraftClient) => Promise<T>): Promise<T> {
  const ahead = takeWorkerAhead();
  const service = new GraftService({ kind: 'browser', launchWorker: ahead?.launch ?? forkWorker });
  try {
    return await use(inProcessClient(service));
  } finally {
    ahead?.stop();
    await service.shutdown();
  }
}

/** Like withService, with a project open; with `create`, one that does not exist yet is created (as `graft import` does). */
export function withProject<T>(projectPath: string, use: (client: GraftClient) => Promise<T>, create = false): Promise<T> {
  return withService(async (client) => {
    if (create && !fs.existsSync(projectPath)) {
      const info = await client.call('projects.create', { path: projectPath });
      process.stderr.write(`Created the project ${info.path}\n`);
    } else {
      await client.call('projects.open', { path: projectPath });
    }
    return use(client);
  });
}

/** The finished job's result, or an error saying how it ended (and that finished work is kept). */
export function jobResult<T>(job: Job, what: string, keptNote = ''): T {
  if (job.state !== 'done') throw new GraftError('conflict', `${what} ${job.state}${job.error ? `: ${job.error}` : '.'}${keptNote}`);
  return job.result as T;
}
