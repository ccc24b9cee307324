/**
 * The one API contract between Graft's user interface and its main side: every request, its
 * result, and every pushed event, as zod schemas (types are inferred from them). The domain
 * schemas live beside it (projects, library, training, classify, jobs); this file assembles them.
 * The main side validates requests against it, the client validates responses and events against
 * it, whichever transport carried them (Electron IPC or HTTP/WebSocket). Pure: no Electron, Node or DOM.
 */
import { z } from 'zod';
import { ActionPlan, ActionRequest, AddedToLibrary, ClassifierInfo, ClassifySummary, ResultFilter, ResultsPage, ResultsQuery } from './classify';
import { FileDialogOptions, FolderListing, FolderQuery, Places, SaveDialogOptions } from './files';
import { Job } from './jobs';
import { ClassInfo, ClassSplitCount, ImageQuery, LibraryPage, LibrarySummary, PhotoDetails, Split } from './library';
import { AppInfo, AppSettings, LogTail, ProjectInfo, RecentProject } from './projects';
import { BackboneInfo, LatestComparison, PhotoBytes, RunPrediction, RunSummary, TrainChoices, TrainChoicesChange, TryItResult } from './training';
import { Change, JobRequest } from '../jobs/registry';

const ClassName = z.string().trim().min(1, 'Give the class a name.').max(100);
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2f7d5b.');
const ImageIds = z.array(z.number().int()).max(1_000_000);

const NoParams = z.object({}).strict();
/** A job by its id in its scope (the open project's jobs, or the app's own). */
const JobRef = z.object({ id: z.number().int(), scope: z.enum(['project', 'app']).default('project') }).strict();
const ProjectPath = z.string().trim().min(1, 'Give the path of a project file.');
const Id = z.number().int().min(1);
/**
 * Who changes labels: a window (one id per window, kept over reloads) or a CLI command (one per
 * invocation). Undo and redo act only on the same origin's own actions.
 */
const Origin = z.string().regex(/^[\w.:-]{1,80}$/, 'An origin is a short id of letters, digits and .:-_');
const WithOrigin = z.object({ origin: Origin.optional() }).strict();

/** Requests: method name → params schema and result schema. */
export const methods = {
  'app.info': { params: NoParams, result: AppInfo },
  /** The log file's path and its last lines: what went wrong, for people and bug reports. */
  'app.log': { params: NoParams, result: LogTail },
  'projects.recent': { params: NoParams, result: z.array(RecentProject) },
  'settings.get': { params: NoParams, result: AppSettings },
  'settings.set': { params: AppSettings.partial().strict(), result: AppSettings },
  'projects.current': { params: NoParams, result: ProjectInfo.nullable() },
  'projects.create': {
    params: z.object({ path: ProjectPath, name: z.string().trim().max(200).optional() }).strict(),
    result: ProjectInfo,
  },
  'projects.open': { params: z.object({ path: ProjectPath }).strict(), result: ProjectInfo },
  'projects.close': { params: NoParams, result: z.null() },
  'projects.forget': { params: z.object({ path: z.string() }).strict(), result: z.array(RecentProject) },
  /** Electron only: a native dialog; resolves to null when the user cancels. */
  'dialog.chooseProjectFile': {
    params: z.object({ mode: z.enum(['create', 'open']) }).strict(),
    result: z.string().nullable(),
  },
  'dialog.chooseFolder': { params: NoParams, result: z.string().nullable() },
  'library.summary': { params: NoParams, result: LibrarySummary },
  'library.page': { params: ImageQuery, result: LibraryPage },
  'library.ids': { params: ImageQuery.omit({ offset: true, limit: true }), result: z.array(z.number().int()) },
  /** Photos by any of their file paths (for scripting); paths not in the project come back apart. */
  'library.idsForPaths': {
    params: z.object({ paths: z.array(z.string()).max(100_000) }).strict(),
    result: z.object({ ids: z.array(z.number().int()), unknown: z.array(z.string()) }),
  },
  'classes.create': { params: z.object({ name: ClassName, color: Color.optional() }).strict(), result: ClassInfo },
  'classes.update': { params: z.object({ id: z.number().int(), name: ClassName.optional(), color: Color.optional() }).strict(), result: ClassInfo },
  'classes.merge': { params: z.object({ from: z.number().int(), into: z.number().int(), origin: Origin.optional() }).strict(), result: ClassInfo },
  'classes.delete': { params: z.object({ id: z.number().int() }).strict(), result: z.null() },
  'classes.reorder': { params: z.object({ ids: z.array(z.number().int()) }).strict(), result: z.array(ClassInfo) },
  /** Labels photos (classId null: unlabel) as one undoable action; returns how many changed. */
  'labels.set': { params: z.object({ imageIds: ImageIds, classId: z.number().int().nullable(), origin: Origin.optional() }).strict(), result: z.number().int() },
  /** Accepts the suggested labels of these photos, as one undoable action; returns how many changed. */
  'suggestions.accept': { params: z.object({ imageIds: ImageIds, origin: Origin.optional() }).strict(), result: z.number().int() },
  /** Undoes the origin's last labelling action (never another window's or command's); returns how many photos changed. */
  'labels.undo': { params: WithOrigin, result: z.number().int() },
  'labels.redo': { params: WithOrigin, result: z.number().int() },
  'splits.pin': { params: z.object({ imageIds: ImageIds, split: Split.nullable() }).strict(), result: z.null() },
  'splits.configure': {
    params: z
      .object({ train: z.number().min(0), validation: z.number().min(0), test: z.number().min(0), seed: z.number().int() })
      .strict()
      .refine((r) => r.train + r.validation + r.test > 0, 'The ratios cannot all be zero.'),
    result: z.null(),
  },
  'backbones.list': { params: NoParams, result: z.array(BackboneInfo) },
  /** The Train view's settings as this project last had them (defaults until changed). */
  'train.choices': { params: NoParams, result: TrainChoices },
  /** Remembers some of the Train view's settings in the project; returns them all. */
  'train.setChoices': { params: TrainChoicesChange, result: TrainChoices },
  'runs.list': { params: NoParams, result: z.array(RunSummary) },
  /** A run's test photos: one confusion-matrix cell when both classes are given; the wrong ones first, each part highest loss first (top losses). */
  'runs.predictions': {
    params: z
      .object({ runId: z.number().int(), trueClassId: z.number().int().optional(), predictedClassId: z.number().int().optional(), limit: z.number().int().min(1).max(5000).default(200) })
      .strict(),
    result: z.array(RunPrediction),
  },
  /** The table of the last "Compare backbones" that finished in this project; null when none has. */
  'runs.latestComparison': { params: NoParams, result: LatestComparison.nullable() },
  /** Models that have classified photos in this project. */
  'classify.classifiers': { params: NoParams, result: z.array(ClassifierInfo) },
  'classify.summary': { params: ResultFilter.pick({ classifierId: true, threshold: true }).strict(), result: ClassifySummary },
  'classify.results': { params: ResultsQuery, result: ResultsPage },
  /** The dry run of an action: what applying it would do, file by file (the first 200). */
  'classify.plan': { params: ActionRequest, result: ActionPlan },
  'jobs.list': { params: NoParams, result: z.array(Job) },
  'jobs.start': { params: JobRequest, result: Job },
  'jobs.cancel': { params: JobRef, result: Job },
  /** Runs an interrupted, failed or cancelled job again with the same parameters. */
  'jobs.retry': { params: JobRef, result: Job },

  // What a person is told before acting, shown up close, and lets choose (issue 11).
  /** Labelled photos per class and split: the Train view's table, and what readiness for training is judged on (src/shared/readiness.ts). */
  'library.classSplits': { params: NoParams, result: z.array(ClassSplitCount) },
  /** A photo's file facts for the photo viewer: paths, size, EXIF date and camera. */
  'photos.details': { params: z.union([z.object({ imageId: Id }).strict(), z.object({ classifiedId: Id }).strict()]), result: PhotoDetails },
  /** Remembers the "unknown below" level chosen for a classifier's results (the app, graft classify and graft results start from it). */
  'classify.setThreshold': { params: z.object({ classifierId: Id, threshold: z.number().min(0).max(1) }).strict(), result: z.null() },
  /** Adds classified photos to the library with a label (created when new): corrections become training data. */
  'classify.addToLibrary': { params: z.object({ ids: z.array(Id).min(1).max(1000), label: ClassName, origin: Origin.optional() }).strict(), result: AddedToLibrary },
  /**
   * A run's best guesses for one photo, at once: answered by a model kept loaded beside the jobs
   * (never queued behind them, never listed as one). Without a photo, only loads the model.
   */
  'tryIt.predict': { params: z.object({ runId: Id.optional(), photo: PhotoBytes.optional() }).strict(), result: TryItResult },
  /** The browser mode's chooser: one folder's subfolders and matching files (listing only; the person chooses). */
  'files.list': { params: FolderQuery, result: FolderListing },
  'files.places': { params: NoParams, result: Places },
  /** A location the person chose, for the chooser's recent list. */
  'files.remember': { params: z.object({ path: z.string().min(1).max(4096) }).strict(), result: z.null() },
  /** Electron only: native dialogs to choose a file, or where to save one; null when cancelled. */
  'dialog.chooseFile': { params: FileDialogOptions, result: z.string().nullable() },
  'dialog.chooseSaveLocation': { params: SaveDialogOptions, result: z.string().nullable() },
  /** Electron only: shows a file or folder in the system's file manager. */
  'dialog.reveal': { params: z.object({ path: z.string().min(1).max(4096) }).strict(), result: z.null() },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

/** Events the main side pushes to every connected user interface. */
export const events = {
  'job.updated': Job,
  'project.changed': ProjectInfo.nullable(),
  /**
   * Something a view shows changed — by this process, or by another Graft process working in the
   * same project (then `what` is everything, as the project file cannot say what the other changed).
   */
  'data.changed': z.object({
    what: z.array(Change),
    /** Who changed labels (a window's or a CLI command's origin id): a window already shows its own changes. */
    origin: z.string().max(100).optional(),
  }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventData<E extends EventName> = z.output<Events[E]>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What every transport carries back for a request. */
export const WireResponse = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type WireResponse = z.infer<typeof WireResponse>;

export const WireEvent = z.object({ event: z.string(), data: z.unknown() });
export type WireEvent = z.infer<typeof WireEvent>;

/** The browser mode's HTTP header carrying the per-launch token. */
export const TOKEN_HEADER = 'x-graft-token';
