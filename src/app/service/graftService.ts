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
import type { PhotoDetails } from '../../shared/api/library';
import type { FileFilter } from '../../shared/api/files';
import type { Job } from '../../shared/api/jobs';
import { CompareResult } from '../../shared/api/training';
import { CHANGES, JOBS, isJobKind, type Change, type JobRequestInput } from '../../shared/jobs/registry';
import { openAppDatabase, type AppDatabase } from '../../node/data/appDatabase';
import { createProject, openProject, type Project } from '../../node/data/project';
import { listBackbones } from '../../node/models/backboneList';
import { logError, readLogTail } from '../../node/log';
import { appVersion, distPath, userDataDir } from '../../node/paths';
import { photoFacts } from '../../node/photos/photoFacts';
import { planAction } from '../../node/results/actions';
import { Predictor } from '../jobs/predictor';
import { JobRunner } from '../jobs/runner';
import type { LaunchWorker } from '../jobs/workerLauncher';
import { dispatch, type Handlers } from './dispatch';
import { AppSettingsFile } from './appSettings';
import { addClassifiedToLibrary } from './addToLibrary';
import { listFolder, places } from './fileBrowser';
import { RecentLocations } from './recentLocations';
import { RecentProjects } from './recentProjects';

/** What the shell the app runs in can do that others cannot. */
export interface Shell {
  kind: 'electron' | 'browser';
  launchWorker: LaunchWorker;
  /** Starts the "Try it" process; `launchWorker` when absent (a warm launcher must keep its spare for jobs). */
  launchPredictor?: LaunchWorker;
  /** Native dialogs; absent in the browser mode, where the main side lists folders and the user chooses (files.list). */
  dialogs?: {
    chooseProjectFile(mode: 'create' | 'open'): Promise<string | null>;
    chooseFolder(): Promise<string | null>;
    chooseFile(options: { title?: string; filters: FileFilter[] }): Promise<string | null>;
    chooseSaveLocation(options: { title?: string; defaultName?: string; filters: FileFilter[] }): Promise<string | null>;
    /** Shows a file or folder in the system's file manager. */
    reveal(file: string): void;
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
  private readonly settings: AppSettingsFile;
  private readonly recentLocations: RecentLocations;
  private readonly predictor: Predictor;

  constructor(
    private readonly shell: Shell,
    private readonly dataDir = userDataDir(),
  ) {
    this.recent = new RecentProjects(dataDir);
    this.settings = new AppSettingsFile(dataDir);
    this.recentLocations = new RecentLocations(dataDir);
    this.predictor = new Predictor(shell.launchPredictor ?? shell.launchWorker, distPath('predictor.cjs'), () => this.settings.workerEnvironment());
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

  private changed(what: Change[], origin?: string | null): void {
    if (what.length) this.emit('data.changed', origin ? { what, origin } : { what });
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

  /**
   * A labelling, then the split rules for the classes it touched (every class gains a photo in
   * each split it needs as it is labelled): one change of labels and, when photos moved, splits.
   */
  private relabel(imageIds: number[], apply: (project: Project) => number, to: (number | null)[] | 'all', origin: string | null | undefined): number {
    const project = this.requireProject();
    const touched = to === 'all' ? 'all' : [...to, ...project.stores.library.classesOf(imageIds)];
    const changed = apply(project);
    const repairs = project.stores.splits.enforce(project.stores.settings.splitSettings(), { groups: false, classes: touched });
    this.changed(repairs.completedClass ? ['labels', 'splits'] : ['labels'], origin);
    return changed;
  }

  /**
   * A photo's kept thumbnail (JPEG), for the transports that serve images; null if there is none,
   * or the cache cannot be read (it is a cache: the caller makes the thumbnail again).
   */
  thumbnail(hash: string): Buffer | null {
    try {
      return this.project?.thumbnails.get(hash) ?? null;
    } catch (error) {
      this.thumbnailCacheFailed('read', error);
      return null;
    }
  }

  /** Keeps a thumbnail made on view, for the next time; a cache that cannot be written is only logged. */
  keepThumbnail(hash: string, jpeg: Buffer): void {
    try {
      this.project?.thumbnails.put([{ hash, jpeg }]);
    } catch (error) {
      this.thumbnailCacheFailed('written', error);
    }
  }

  private thumbnailCacheFailures = 0;

  /** Logged once: a grid asks for hundreds of thumbnails. */
  private thumbnailCacheFailed(how: 'read' | 'written', error: unknown): void {
    if (this.thumbnailCacheFailures++ === 0) logError(`The thumbnail cache could not be ${how} (thumbnails are made from the photos instead)`, error);
  }

  /** A present file of the library photo with this content hash, to make its thumbnail from; null if none. */
  thumbnailSource(hash: string): string | null {
    const image = this.project?.stores.library.imageByHash(hash);
    return image ? this.imageFile(image.id) : null;
  }

  /** A present file of an image, for the full-size preview; null if none is left. */
  imageFile(imageId: number): string | null {
    return this.project?.stores.library.presentPath(imageId) ?? null;
  }

  /** A classified photo's file and content hash, for its thumbnail; null if unknown. */
  classifiedPhoto(id: number): { path: string; hash: string | null } | null {
    return this.project?.stores.classified.photo(id) ?? null;
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
    this.predictor.dispose();
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
      environment: () => this.settings.workerEnvironment(),
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
      const jobs = new JobRunner({
        store: database.jobs,
        projectPath: null,
        workerScript: distPath('worker.cjs'),
        launch: this.shell.launchWorker,
        environment: () => this.settings.workerEnvironment(),
        onUpdate: (job) => this.onJobUpdate(job),
      });
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
    'settings.get': () => this.settings.read(),
    'settings.set': (change) => {
      const settings = this.settings.write(change);
      // A model loaded for Try it keeps the device it was loaded on: the next try loads it afresh.
      if (change.compute) this.predictor.dispose();
      return settings;
    },
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
    'library.summary': () => {
      const { stores } = this.requireProject();
      return { ...stores.library.summary(), conflicts: stores.imports.conflicts(), nearDuplicates: stores.splits.nearDuplicateSummary() };
    },
    'library.page': (query) => this.requireProject().stores.library.page(query),
    'library.ids': (query) => this.requireProject().stores.library.ids(query),
    'library.idsForPaths': ({ paths }) => this.requireProject().stores.library.idsForPaths(paths),
    'classes.create': ({ name, color }) => this.change(['classes'], (p) => p.stores.library.createClass(name, color)),
    'classes.update': ({ id, ...change }) => this.change(['classes'], (p) => p.stores.library.updateClass(id, change)),
    'classes.merge': ({ from, into, origin }) => this.change(['classes', 'labels'], (p) => p.stores.library.mergeClasses(from, into, origin ?? null)),
    'classes.delete': ({ id }) => this.change(['classes', 'labels'], (p) => (p.stores.library.deleteClass(id), null)),
    'classes.reorder': ({ ids }) => this.change(['classes'], (p) => p.stores.library.reorderClasses(ids)),
    'labels.set': ({ imageIds, classId, origin }) => this.relabel(imageIds, (p) => p.stores.library.setLabels(imageIds, classId, origin ?? null), [classId], origin),
    'suggestions.accept': ({ imageIds, origin }) => this.relabel(imageIds, (p) => p.stores.library.acceptSuggestions(imageIds, origin ?? null), 'all', origin),
    // An undo changes photos the window may not show: it reloads, whoever asked.
    'labels.undo': ({ origin }) => this.relabel([], (p) => p.stores.library.undo(origin ?? null), 'all', null),
    'labels.redo': ({ origin }) => this.relabel([], (p) => p.stores.library.redo(origin ?? null), 'all', null),
    'splits.pin': ({ imageIds, split }) => this.change(['splits'], (p) => (p.stores.splits.pin(imageIds, split, p.stores.settings.splitSettings()), null)),
    'splits.configure': ({ seed, ...ratios }) =>
      this.change(['splits'], (p) => {
        p.stores.settings.setSplitSettings({ ratios, seed });
        p.stores.splits.resplit({ ratios, seed });
        return null;
      }),
    'backbones.list': () => listBackbones(),
    'runs.list': () => this.requireProject().stores.runs.list(),
    'train.choices': () => this.requireProject().stores.settings.trainChoices(),
    'train.setChoices': (change) => this.requireProject().stores.settings.setTrainChoices(change),
    'runs.latestComparison': () => {
      const job = this.requireProject().stores.jobs.latestDone('compare');
      const result = CompareResult.safeParse(job?.result);
      return job?.finishedAt && result.success ? { jobId: job.id, finishedAt: job.finishedAt, result: result.data } : null;
    },
    'runs.predictions': (query) => this.requireProject().stores.runs.predictions(query),
    'classify.classifiers': () => this.project?.stores.classified.list() ?? [],
    'classify.summary': ({ classifierId, threshold }) => this.requireProject().stores.classified.summary(classifierId, threshold),
    'classify.results': (query) => this.requireProject().stores.classified.page(query),
    'classify.plan': (request) => planAction(this.requireProject().stores, request),
    'jobs.list': () => this.listJobs(),
    'jobs.start': (request) => this.startJob(request),
    'jobs.cancel': ({ id, scope }) => this.runnerFor(scope).cancel(id),
    'jobs.retry': ({ id, scope }) => this.runnerFor(scope).retry(id),

    // What a person is told before acting, shown up close, and lets choose (issue 11).
    'library.classSplits': () => this.requireProject().stores.library.classSplitCounts(),
    'photos.details': (which) => this.photoDetails(which),
    'classify.setThreshold': ({ classifierId, threshold }) => this.change(['classified'], (p) => (p.stores.classified.setThreshold(classifierId, threshold), null)),
    'classify.addToLibrary': async ({ ids, label, origin }) => {
      const project = this.requireProject();
      const added = await addClassifiedToLibrary({ stores: project.stores, keepThumbnail: (hash, jpeg) => this.keepThumbnail(hash, jpeg) }, ids, label, origin ?? null);
      // As after an import and a labelling: a new photo joins its near-duplicates' split, and its class gets a photo in each split it needs.
      const repairs = project.stores.splits.enforce(project.stores.settings.splitSettings(), { groups: added.added > 0, classes: [added.classId] });
      this.changed(repairs.joinedGroup || repairs.completedClass ? ['photos', 'classes', 'labels', 'splits'] : ['photos', 'classes', 'labels']);
      return added;
    },
    'tryIt.predict': async ({ runId, photo }) => {
      const project = this.requireProject();
      const id = runId ?? project.stores.runs.bestTransferId();
      if (id === null) throw new GraftError('not_found', 'Train a model first: “Try it” asks the best trained model.');
      const kind = project.stores.runs.kind(id);
      if (kind === null) throw new GraftError('not_found', `This project has no run ${id}.`);
      if (kind !== 'transfer') throw new GraftError('invalid_request', `Run ${id} was learned from scratch, for comparison; try a run built on a network.`);
      const started = Date.now();
      const answer = await this.predictor.predict(project.info.path, id, photo);
      return { runId: id, ...answer, seconds: (Date.now() - started) / 1000 };
    },
    'files.list': (query) => listFolder(query),
    'files.places': () => places(this.recentLocations.list()),
    'files.remember': ({ path: location }) => (this.recentLocations.remember(location), null),
    'dialog.chooseFile': (options) => this.requireDialogs().chooseFile(options),
    'dialog.chooseSaveLocation': (options) => this.requireDialogs().chooseSaveLocation(options),
    'dialog.reveal': ({ path: file }) => {
      if (!path.isAbsolute(file) || !fs.existsSync(file)) throw new GraftError('not_found', `There is nothing at ${file} to show.`);
      this.requireDialogs().reveal(file);
      return null;
    },
  };

  /** The photo viewer's facts about a library photo (its record and its present file) or a classified one (its file). */
  private async photoDetails(which: { imageId: number } | { classifiedId: number }): Promise<PhotoDetails> {
    const { stores } = this.requireProject();
    if ('imageId' in which) {
      const record = stores.library.photoRecord(which.imageId);
      if (!record) throw new GraftError('not_found', `This project has no photo ${which.imageId}.`);
      const present = record.paths.find((p) => !p.missing)?.path ?? null;
      const facts = present ? await photoFacts(present) : null;
      return {
        name: record.name,
        path: present,
        paths: record.paths,
        width: facts?.width ?? record.width,
        height: facts?.height ?? record.height,
        bytes: facts?.bytes ?? record.bytes,
        format: facts?.format ?? record.format,
        takenAt: facts?.takenAt ?? null,
        camera: facts?.camera ?? null,
      };
    }
    const photo = stores.classified.photo(which.classifiedId);
    if (!photo) throw new GraftError('not_found', `These results have no photo ${which.classifiedId}.`);
    const facts = await photoFacts(photo.path);
    return { name: path.basename(photo.path), path: photo.path, paths: [{ path: photo.path, missing: facts.bytes === null }], ...facts };
  }

  private requireDialogs() {
    if (!this.shell.dialogs) throw new GraftError('unavailable', 'Native dialogs exist only in the desktop app; choose with Browse… instead.');
    return this.shell.dialogs;
  }
}
