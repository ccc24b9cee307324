/**
 * The one implementation of the API contract. Transports (Electron IPC, HTTP/WebSocket, tests)
 * hand it raw requests through `call` and forward what `subscribe` pushes; it never knows
 * which transport it serves.
 */
import os from 'node:os';
import path from 'node:path';
import type { EventData, EventName, WireEvent, WireResponse } from '../../../preload/common/contract';
import { GraftError } from '../../../preload/common/errors';
import { appVersion, distPath, userDataDir } from '../app/paths';
import { RecentProjects } from '../app/recentProjects';
import { createProject, openProject, type Project } from '../db/project';
import { JobRunner } from '../jobs/runner';
import type { LaunchWorker } from '../jobs/workerLauncher';
import { dispatch, type Handlers } from './dispatch';

/** What the shell the app runs in can do that others cannot. */
export interface Shell {
  kind: 'electron' | 'browser';
  launchWorker: LaunchWorker;
  /** Native dialogs; absent in the browser mode, where the user types paths. */
  dialogs?: {
    chooseProjectFile(mode: 'create' | 'open'): Promise<string | null>;
    chooseFolder(): Promise<string | null>;
  };
}

export class GraftService {
  private project: Project | null = null;
  private jobs: JobRunner | null = null;
  private readonly listeners = new Set<(event: WireEvent) => void>();
  private readonly recent: RecentProjects;

  constructor(
    private readonly shell: Shell,
    dataDir = userDataDir(),
  ) {
    this.recent = new RecentProjects(dataDir);
  }

  call(method: unknown, params: unknown): Promise<WireResponse> {
    return dispatch(this.handlers, method, params);
  }

  subscribe(listener: (event: WireEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const listener of this.listeners) listener({ event, data });
  }

  /** Opens a project directly (e.g. `graft serve --project`), as the UI's open request does. */
  async openProject(file: string) {
    return this.handlers['projects.open']({ path: file });
  }

  async shutdown(): Promise<void> {
    await this.closeProject();
  }

  private requireJobs(): JobRunner {
    if (!this.jobs) throw new GraftError('no_project', 'Open or create a project first.');
    return this.jobs;
  }

  private async closeProject(): Promise<void> {
    const project = this.project;
    if (!project) return;
    this.project = null;
    await this.jobs?.dispose();
    this.jobs = null;
    project.close();
  }

  private async useProject(project: Project) {
    await this.closeProject();
    this.project = project;
    this.jobs = new JobRunner({
      db: project.db,
      projectPath: project.info.path,
      workerScript: distPath('worker.cjs'),
      launch: this.shell.launchWorker,
      onUpdate: (job) => this.emit('job.updated', job),
    });
    this.recent.touch(project.info.path, project.info.name);
    this.emit('project.changed', project.info);
    return project.info;
  }

  private readonly handlers: Handlers = {
    'app.info': () => ({
      name: 'Graft',
      version: appVersion(),
      shell: this.shell.kind,
      nativeDialogs: Boolean(this.shell.dialogs),
      platform: process.platform,
      homeDir: os.homedir(),
    }),
    'projects.recent': () => this.recent.list(),
    'projects.current': () => this.project?.info ?? null,
    'projects.create': ({ path, name }) => this.useProject(createProject(path, name)),
    'projects.open': ({ path: file }) => {
      if (this.project?.info.path === path.resolve(file)) return this.project.info;
      return this.useProject(openProject(file));
    },
    'projects.close': async () => {
      await this.closeProject();
      this.emit('project.changed', null);
      return null;
    },
    'projects.forget': ({ path }) => this.recent.forget(path),
    'dialog.chooseProjectFile': ({ mode }) => this.requireDialogs().chooseProjectFile(mode),
    'dialog.chooseFolder': () => this.requireDialogs().chooseFolder(),
    'jobs.list': () => (this.jobs ? this.jobs.list() : []),
    'jobs.start': (request) => this.requireJobs().start(request),
    'jobs.cancel': ({ id }) => this.requireJobs().cancel(id),
    'jobs.retry': ({ id }) => this.requireJobs().retry(id),
  };

  private requireDialogs() {
    if (!this.shell.dialogs) throw new GraftError('unavailable', 'Dialogs exist only in the desktop app; type the path instead.');
    return this.shell.dialogs;
  }
}
