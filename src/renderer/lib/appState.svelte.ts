/** The renderer's shared state: app info, the open project and its jobs, kept live by events. */
import type { AppInfo, ProjectInfo } from '../../shared/api/projects';
import type { Job } from '../../shared/api/jobs';
import { client } from './client';

export type ViewId = 'library' | 'label' | 'train' | 'evaluate' | 'classify';

class AppState {
  info = $state<AppInfo | null>(null);
  project = $state<ProjectInfo | null>(null);
  jobs = $state<Job[]>([]);
  view = $state<ViewId>('library');
  /** The last error a person should see; cleared when they dismiss it or act again. */
  error = $state<string | null>(null);
  ready = $state(false);

  async start(): Promise<void> {
    client.on('project.changed', (project) => void this.showProject(project));
    client.on('job.updated', (job) => {
      const index = this.jobs.findIndex((j) => j.id === job.id && j.scope === job.scope);
      if (index >= 0) this.jobs[index] = job;
      else this.jobs = [job, ...this.jobs];
    });
    try {
      [this.info, this.project] = await Promise.all([client.call('app.info', {}), client.call('projects.current', {})]);
      await this.refreshJobs();
    } catch (error) {
      this.report(error);
    }
    this.ready = true;
  }

  /**
   * Shows the project a request just opened or closed. The project.changed event says the same,
   * but an event can be missed (a socket still connecting), and the answer cannot.
   */
  async showProject(project: ProjectInfo | null): Promise<void> {
    if (this.project?.path === project?.path) return;
    this.project = project;
    await this.refreshJobs();
  }

  async refreshJobs(): Promise<void> {
    this.jobs = await client.call('jobs.list', {});
  }

  report(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
  }

  /** Runs an action, showing its error if it fails; returns its result or null. */
  async attempt<T>(action: () => Promise<T>): Promise<T | null> {
    this.error = null;
    try {
      return await action();
    } catch (error) {
      this.report(error);
      return null;
    }
  }
}

export const app = new AppState();
