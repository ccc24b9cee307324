/**
 * The one implementation of the API contract. Transports (Electron IPC, HTTP/WebSocket, tests)
 * hand it raw requests through `call` and forward what `subscribe` pushes; it never knows
 * which transport it serves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventData, EventName, Job, WireEvent, WireResponse } from '../../shared/api/contract';
import { autoSplit, type Split, type SplitRatios } from '../../shared/splits';
import { GraftError } from '../../shared/api/errors';
import { appVersion, distPath, userDataDir } from '../../node/paths';
import { RecentProjects } from './recentProjects';
import { createProject, openProject, type Project } from '../../node/data/project';
import { planAction } from '../../node/results/actions';
import { ClassifiedStore } from '../../node/data/classifiedStore';
import { JobRunner } from '../jobs/runner';
import { LibraryStore } from '../../node/data/libraryStore';
import { allBackbones, backboneFolder, isAvailable } from '../../node/models/modelStore';
import { listRuns, runPredictions } from '../../node/data/runStore';
import { isContentHash, thumbnailPath } from '../../node/photos/thumbnails';
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
  private library: LibraryStore | null = null;
  private lastImportRefresh = 0;
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

  private requireLibrary(): LibraryStore {
    if (!this.library) throw new GraftError('no_project', 'Open or create a project first.');
    return this.library;
  }

  /** Changes the library and tells every client to reload what it shows. */
  private changeLibrary<T>(reason: EventData<'library.changed'>['reason'], change: (library: LibraryStore) => T): T {
    const result = change(this.requireLibrary());
    this.emit('library.changed', { reason });
    return result;
  }

  private automaticSplit(): (hash: string) => Split {
    const meta = this.requireProject().db.prepare('SELECT key, value FROM project_meta WHERE key IN (?, ?)').all('split_ratios', 'split_seed') as { key: string; value: string }[];
    const values = new Map(meta.map((r) => [r.key, r.value]));
    const ratios = JSON.parse(values.get('split_ratios') ?? '{"train":0.7,"validation":0.15,"test":0.15}') as SplitRatios;
    const seed = Number(values.get('split_seed') ?? 1);
    return (hash) => autoSplit(hash, seed, ratios);
  }

  private requireProject(): Project {
    if (!this.project) throw new GraftError('no_project', 'Open or create a project first.');
    return this.project;
  }

  /** A photo's thumbnail file, for the transports that serve images; null if there is none. */
  thumbnailFile(hash: string): string | null {
    if (!this.project || !isContentHash(hash)) return null;
    const file = thumbnailPath(this.project.info.path, hash);
    return fs.existsSync(file) ? file : null;
  }

  /** A present file of an image, for the full-size preview; null if none is left. */
  imageFile(imageId: number): string | null {
    return this.library?.presentPath(imageId) ?? null;
  }

  /** A classified photo's file and content hash, for its thumbnail; null if unknown. */
  classifiedPhoto(id: number): { path: string; hash: string | null; thumbnail: string | null } | null {
    if (!this.project) return null;
    const photo = new ClassifiedStore(this.project.db).photo(id);
    if (!photo) return null;
    return { ...photo, thumbnail: photo.hash ? thumbnailPath(this.project.info.path, photo.hash) : null };
  }

  private onJobUpdate(job: Job): void {
    this.emit('job.updated', job);
    const finished = job.state !== 'running' && job.state !== 'queued';
    // New suggestions show on the grid's photos.
    if ((job.kind === 'suggest' || (job.kind === 'classifyAction' && job.params.action === 'suggest')) && finished) this.emit('library.changed', { reason: 'labels' });
    if (job.kind === 'classifyAction' && finished) this.emit('library.changed', { reason: 'classified' });
    // Imports and classifications fill their grids as they go: refresh now and then, and at the end.
    if (job.kind !== 'import' && job.kind !== 'classify') return;
    if (finished || Date.now() - this.lastImportRefresh > 2000) {
      this.lastImportRefresh = Date.now();
      this.emit('library.changed', { reason: job.kind === 'import' ? 'import' : 'classified' });
    }
  }

  private classified(): ClassifiedStore {
    return new ClassifiedStore(this.requireProject().db);
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
    this.library = null;
    project.close();
  }

  private async useProject(project: Project) {
    await this.closeProject();
    this.project = project;
    this.library = new LibraryStore(project.db);
    this.jobs = new JobRunner({
      db: project.db,
      projectPath: project.info.path,
      workerScript: distPath('worker.cjs'),
      launch: this.shell.launchWorker,
      onUpdate: (job) => this.onJobUpdate(job),
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
    'library.summary': () => this.requireLibrary().summary(),
    'library.page': (query) => this.requireLibrary().page(query),
    'library.ids': (query) => this.requireLibrary().ids(query),
    'library.idsForPaths': ({ paths }) => this.requireLibrary().idsForPaths(paths),
    'classes.create': ({ name, color }) => this.changeLibrary('classes', (l) => l.createClass(name, color)),
    'classes.update': ({ id, ...change }) => this.changeLibrary('classes', (l) => l.updateClass(id, change)),
    'classes.merge': ({ from, into }) => this.changeLibrary('classes', (l) => l.mergeClasses(from, into)),
    'classes.delete': ({ id }) => this.changeLibrary('classes', (l) => (l.deleteClass(id), null)),
    'classes.reorder': ({ ids }) => this.changeLibrary('classes', (l) => l.reorderClasses(ids)),
    'labels.set': ({ imageIds, classId }) => this.changeLibrary('labels', (l) => l.setLabels(imageIds, classId)),
    'suggestions.accept': ({ imageIds }) => this.changeLibrary('labels', (l) => l.acceptSuggestions(imageIds)),
    'labels.undo': () => this.changeLibrary('labels', (l) => l.undo()),
    'labels.redo': () => this.changeLibrary('labels', (l) => l.redo()),
    'splits.pin': ({ imageIds, split }) => this.changeLibrary('splits', (l) => (l.pinSplit(imageIds, split, this.automaticSplit()), null)),
    'splits.configure': ({ seed, ...ratios }) =>
      this.changeLibrary('splits', (l) => {
        const db = this.requireProject().db;
        const set = db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        db.transaction(() => {
          set.run('split_ratios', JSON.stringify(ratios));
          set.run('split_seed', String(seed));
          l.resplit(this.automaticSplit());
        })();
        return null;
      }),
    'backbones.list': () =>
      allBackbones().map((b) => ({ id: b.id, fineTunable: b.fineTuneFrom !== null, title: b.title, url: b.url, featureSize: b.featureSize, licence: b.licence, available: isAvailable(b), folder: backboneFolder(b) })),
    'runs.list': () => listRuns(this.requireProject().db),
    'runs.predictions': (query) => runPredictions(this.requireProject().db, query),
    'classify.classifiers': () => (this.project ? this.classified().list() : []),
    'classify.summary': ({ classifierId, threshold }) => this.classified().summary(classifierId, threshold),
    'classify.results': (query) => this.classified().page(query),
    'classify.plan': (request) => planAction(this.requireProject().db, request),
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
