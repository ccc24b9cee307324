/** The renderer's shared state: app info, the open project and its jobs, kept live by events. */
import type { AppInfo, ProjectInfo } from '../../shared/api/projects';
import type { Job } from '../../shared/api/jobs';
import { client } from './client';

export type ViewId = 'library' | 'label' | 'train' | 'evaluate' | 'try' | 'classify';

/** What a view opened from a link (a notification, another view) should show first. */
export interface ViewTarget {
  runId?: number;
  classifierId?: number;
  /** The Label view's "unlabelled, with a suggestion" filter. */
  suggested?: boolean;
}

class AppState {
  info = $state<AppInfo | null>(null);
  project = $state<ProjectInfo | null>(null);
  jobs = $state<Job[]>([]);
  view = $state<ViewId>('library');
  /** Set by `show`, read (and cleared) by the view it opens. */
  target = $state<ViewTarget | null>(null);
  /**
   * Counts the visits to a target. The view shown is made afresh for each (App.svelte keys it on
   * this): a view reads its target when it opens, so a link to the view already shown must open it again.
   */
  visit = $state(0);
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

  /** Opens a view, at a run, a classifier's results or a filter when given. */
  show(view: ViewId, target: ViewTarget | null = null): void {
    this.target = target;
    this.view = view;
    if (target) this.visit++;
  }

  /** The target left for a view, once: the view shows it and later visits start afresh. */
  takeTarget(): ViewTarget | null {
    const target = this.target;
    this.target = null;
    return target;
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
