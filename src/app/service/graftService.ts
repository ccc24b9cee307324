/**
 * The one implementation of the API contract. Transports (Electron IPC, HTTP/WebSocket, the CLI's
 * in-process client) hand it raw requests through `call` and forward what `subscribe` pushes; it
 * never knows which transport it serves. It reads and changes the open project through its
 * stores, runs long work as jobs (the project's, and the app's own that need no project), and
 * tells every client what changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventData, EventName, WireEvent, WireResponse } from '../../shared/api/contract';
import { GraftError } from '../../shared/api/errors';
import type { Job } from '../../shared/api/jobs';
import { CHANGES, JOBS, isJobKind, type Change, type JobRequestInput } from '../../shared/jobs/registry';
import { autoSplit, type Split } from '../../shared/splits';
import { openAppDatabase, type AppDatabase } from '../../node/data/appDatabase';
import { createProject, openProject, type Project } from '../../node/data/project';
import { allBackbones, backboneFolder, isAvailable } from '../../node/models/modelStore';
import { readLogTail } from '../../node/log';
import { appVersion, distPath, userDataDir } from '../../node/paths';
import { isContentHash, thumbnailPath } from '../../node/photos/thumbnails';
import { planAction } from '../../node/results/actions';
import { JobRunner } from '../jobs/runner';
import type { LaunchWorker } from '../jobs/workerLauncher';
import { dispatch, type Handlers } from './dispatch';
import { RecentProjects } from './recentProjects';

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

/** Live jobs refresh their views at most this often while they run. */
const LIVE_REFRESH_MS = 2000;
/** How much of the log "Show log" shows; the rest is in the file. */
const LOG_LINES_SHOWN = 200;
/** How often the open project is checked for changes made by another Graft process. */
const OUTSIDE_CHANGE_POLL_MS = 1000;

export class GraftService {
  private project: Project | null = null;
  private projectJobs: JobRunner | null = null;
  private app: { database: AppDatabase; jobs: JobRunner } | null = null;
  private lastLiveRefresh = 0;
  private dataVersion = 0;
  private outsidePoll: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(event: WireEvent) => void>();
  private readonly recent: RecentProjects;

  constructor(
    private readonly shell: Shell,
    private readonly dataDir = userDataDir(),
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

  private changed(what: Change[]): void {
    if (what.length) this.emit('data.changed', { what });
  }

  /** Opens a project directly (e.g. `graft serve --project`), as the UI's open request does. */
  async openProject(file: string) {
    return this.handlers['projects.open']({ path: file });
  }

  async shutdown(): Promise<void> {
    await this.closeProject();
    if (this.app) {
      await this.app.jobs.dispose();
      this.app.database.close();
      this.app = null;
    }
  }

  private requireProject(): Project {
    if (!this.project) throw new GraftError('no_project', 'Open or create a project first.');
    return this.project;
  }

  /** Changes the open project through its stores and tells every client what changed. */
  private change<T>(what: Change[], apply: (project: Project) => T): T {
    const result = apply(this.requireProject());
    this.changed(what);
    return result;
  }

  private automaticSplit(): (hash: string) => Split {
    const { ratios, seed } = this.requireProject().stores.settings.splitSettings();
    return (hash) => autoSplit(hash, seed, ratios);
  }

  /** A photo's thumbnail file, for the transports that serve images; null if there is none. */
  thumbnailFile(hash: string): string | null {
    if (!this.project || !isContentHash(hash)) return null;
    const file = thumbnailPath(this.project.info.path, hash);
    return fs.existsSync(file) ? file : null;
  }

  /** A present file of an image, for the full-size preview; null if none is left. */
  imageFile(imageId: number): string | null {
    return this.project?.stores.library.presentPath(imageId) ?? null;
  }

  /** A classified photo's file and content hash, for its thumbnail; null if unknown. */
  classifiedPhoto(id: number): { path: string; hash: string | null; thumbnail: string | null } | null {
    if (!this.project) return null;
    const photo = this.project.stores.classified.photo(id);
    if (!photo) return null;
    return { ...photo, thumbnail: photo.hash ? thumbnailPath(this.project.info.path, photo.hash) : null };
  }

  private onJobUpdate(job: Job): void {
    this.emit('job.updated', job);
    if (!isJobKind(job.kind)) return;
    const spec = JOBS[job.kind];
    const finished = job.state !== 'running' && job.state !== 'queued';
    // A live job (an import) shows its work as it goes: a refresh now and then, and at the end.
    if (finished || (spec.live && Date.now() - this.lastLiveRefresh > LIVE_REFRESH_MS)) {
      if (spec.live) this.lastLiveRefresh = Date.now();
      this.changed([...spec.changes]);
    }
    // What this process's own job wrote is not news from outside.
    if (finished && this.project) this.dataVersion = this.project.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Another Graft process (the CLI, a second window) may change the open project. SQLite's
   * data_version moves when another connection commits: then every view reloads. While a job of
   * this process runs, its own commits move it too, and its declared changes already refresh.
   */
  private watchOutsideChanges(project: Project): void {
    this.dataVersion = project.db.pragma('data_version', { simple: true }) as number;
    this.outsidePoll = setInterval(() => {
      if (this.project !== project) return;
      const version = project.db.pragma('data_version', { simple: true }) as number;
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      if (!this.projectJobs?.busy()) this.changed([...CHANGES]);
    }, OUTSIDE_CHANGE_POLL_MS);
    this.outsidePoll.unref();
  }

  private async closeProject(): Promise<void> {
    const project = this.project;
    if (!project) return;
    this.project = null;
    if (this.outsidePoll) clearInterval(this.outsidePoll);
    this.outsidePoll = null;
    await this.projectJobs?.dispose();
    this.projectJobs = null;
    project.close();
  }

  private async useProject(project: Project) {
    await this.closeProject();
    this.project = project;
    this.projectJobs = new JobRunner({
      store: project.stores.jobs,
      projectPath: project.info.path,
      workerScript: distPath('worker.cjs'),
      launch: this.shell.launchWorker,
      onUpdate: (job) => this.onJobUpdate(job),
    });
    this.watchOutsideChanges(project);
    this.recent.touch(project.info.path, project.info.name);
    this.emit('project.changed', project.info);
    return project.info;
  }

  /** The app's own jobs (they need no project), opened on first use. */
  private appJobs(): JobRunner {
    if (!this.app) {
      const database = openAppDatabase(this.dataDir);
      const jobs = new JobRunner({ store: database.jobs, projectPath: null, workerScript: distPath('worker.cjs'), launch: this.shell.launchWorker, onUpdate: (job) => this.onJobUpdate(job) });
      this.app = { database, jobs };
    }
    return this.app.jobs;
  }

  private runnerFor(scope: Job['scope']): JobRunner {
    if (scope === 'app') return this.appJobs();
    if (!this.projectJobs) throw new GraftError('no_project', 'Open or create a project first.');
    return this.projectJobs;
  }

  private startJob(request: JobRequestInput): Job {
    return this.runnerFor(JOBS[request.kind].scope).start(request);
  }

  private listJobs(): Job[] {
    const jobs = [...(this.projectJobs?.list() ?? []), ...(this.app ? this.app.jobs.list() : [])];
    return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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
    'app.log': () => readLogTail(LOG_LINES_SHOWN),
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
    'library.summary': () => this.requireProject().stores.library.summary(),
    'library.page': (query) => this.requireProject().stores.library.page(query),
    'library.ids': (query) => this.requireProject().stores.library.ids(query),
    'library.idsForPaths': ({ paths }) => this.requireProject().stores.library.idsForPaths(paths),
    'classes.create': ({ name, color }) => this.change(['classes'], (p) => p.stores.library.createClass(name, color)),
    'classes.update': ({ id, ...change }) => this.change(['classes'], (p) => p.stores.library.updateClass(id, change)),
    'classes.merge': ({ from, into }) => this.change(['classes', 'labels'], (p) => p.stores.library.mergeClasses(from, into)),
    'classes.delete': ({ id }) => this.change(['classes', 'labels'], (p) => (p.stores.library.deleteClass(id), null)),
    'classes.reorder': ({ ids }) => this.change(['classes'], (p) => p.stores.library.reorderClasses(ids)),
    'labels.set': ({ imageIds, classId }) => this.change(['labels'], (p) => p.stores.library.setLabels(imageIds, classId)),
    'suggestions.accept': ({ imageIds }) => this.change(['labels'], (p) => p.stores.library.acceptSuggestions(imageIds)),
    'labels.undo': () => this.change(['labels'], (p) => p.stores.library.undo()),
    'labels.redo': () => this.change(['labels'], (p) => p.stores.library.redo()),
    'splits.pin': ({ imageIds, split }) => this.change(['splits'], (p) => (p.stores.library.pinSplit(imageIds, split, this.automaticSplit()), null)),
    'splits.configure': ({ seed, ...ratios }) =>
      this.change(['splits'], (p) => {
        p.stores.settings.setSplitSettings({ ratios, seed });
        p.stores.library.resplit(this.automaticSplit());
        return null;
      }),
    'backbones.list': () =>
      allBackbones().map((b) => ({ id: b.id, fineTunable: b.fineTuneFrom !== null, title: b.title, url: b.url, featureSize: b.featureSize, licence: b.licence, available: isAvailable(b), folder: backboneFolder(b) })),
    'runs.list': () => this.requireProject().stores.runs.list(),
    'runs.predictions': (query) => this.requireProject().stores.runs.predictions(query),
    'classify.classifiers': () => this.project?.stores.classified.list() ?? [],
    'classify.summary': ({ classifierId, threshold }) => this.requireProject().stores.classified.summary(classifierId, threshold),
    'classify.results': (query) => this.requireProject().stores.classified.page(query),
    'classify.plan': (request) => planAction(this.requireProject().stores, request),
    'jobs.list': () => this.listJobs(),
    'jobs.start': (request) => this.startJob(request),
    'jobs.cancel': ({ id, scope }) => this.runnerFor(scope).cancel(id),
    'jobs.retry': ({ id, scope }) => this.runnerFor(scope).retry(id),
  };

  private requireDialogs() {
    if (!this.shell.dialogs) throw new GraftError('unavailable', 'Dialogs exist only in the desktop app; type the path instead.');
    return this.shell.dialogs;
  }
}
