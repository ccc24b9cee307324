/**
 * The one API contract between Graft's user interface and its main side.
 *
 * Every request, response and pushed event is declared here once, as a zod schema, and the
 * TypeScript types are inferred from the schemas. The main side validates requests against it,
 * the renderer's client validates responses and events against it, whichever transport carried
 * them (Electron IPC or HTTP/WebSocket). Pure: imports no Electron, no Node, no DOM.
 */
import { z } from 'zod';
import {
  ActionPlan,
  ActionRequest,
  ActionResult,
  ClassifierInfo,
  ClassifyParams,
  ClassifyResult,
  ClassifySummary,
  ExportParams,
  ExportResult,
  ResultFilter,
  ResultsPage,
  ResultsQuery,
} from './classify';

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
});
export type ProjectInfo = z.infer<typeof ProjectInfo>;

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
  /** False when the file has been moved or deleted since it was last opened. */
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof RecentProject>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which shell the user interface runs in; the renderer uses it only to word things. */
  shell: z.enum(['electron', 'browser']),
  /** Native open/save dialogs exist only in Electron; the browser mode asks for typed paths. */
  nativeDialogs: z.boolean(),
  platform: z.string(),
  homeDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const TrainParams = z
  .object({
    /** transfer: pretrained backbone features + a small head; scratch: a small CNN trained from nothing (the baseline). */
    model: z.enum(['transfer', 'scratch']).default('transfer'),
    backbone: z.string().default('mobilenet_v1_0.75_224'),
    epochs: z.number().int().min(1).max(1000).default(50),
    seed: z.number().int().default(1),
    /** Units of a hidden layer before the softmax; 0 trains softmax regression on the features. */
    hidden: z.number().int().min(0).max(4096).default(0),
    dropout: z.number().min(0).max(0.9).default(0.2),
    learningRate: z.number().positive().max(1).default(0.001),
    batchSize: z.number().int().min(1).max(1024).default(32),
    /** Early stopping: epochs without a better validation loss before training stops. */
    patience: z.number().int().min(1).max(100).default(5),
    crop: z.enum(['center', 'squash']).default('center'),
    /**
     * After the head, fine-tune the backbone's top block with it for up to this many epochs, on
     * augmented photos (flips, crops, brightness); 0: the backbone stays frozen.
     */
    fineTuneEpochs: z.number().int().min(0).max(100).default(0),
  })
  .strict();
export type TrainParams = z.output<typeof TrainParams>;

export const ImportBackboneParams = z
  .object({
    folder: z.string().trim().min(1, 'Choose the folder of a TensorFlow.js model.'),
    name: z.string().trim().min(1).max(80).optional(),
    /** The layer whose output is the features; by default the last one with a spatial output, averaged over space. */
    featureLayer: z.string().trim().min(1).optional(),
    preprocessing: z.enum(['scale_-1_1', 'scale_0_1']).default('scale_-1_1'),
  })
  .strict();

export const ImportBackboneResult = z.object({
  id: z.string(),
  title: z.string(),
  inputSize: z.number().int(),
  featureLayer: z.string(),
  featureSize: z.number().int(),
  folder: z.string(),
  /** Why the ONNX export cannot take it (classifying then runs on TensorFlow.js); null when it can. */
  onnxProblem: z.string().nullable(),
});
export type ImportBackboneResult = z.infer<typeof ImportBackboneResult>;

/** Each long-running kind of work, with the parameters it takes. */
export const JobRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hashFolder'),
    params: z.object({ folder: z.string().min(1, 'Choose a folder.') }),
  }),
  z.object({
    kind: z.literal('import'),
    params: z.object({
      folders: z.array(z.string().trim().min(1)).min(1, 'Choose at least one folder.'),
      /** ImageFolder layout: the parent folder's name is the label; train/val/test folders set the split. */
      folderLabels: z.boolean(),
    }),
  }),
  z.object({ kind: z.literal('train'), params: TrainParams }),
  /** Download a pretrained backbone into the models folder (needs internet, or GRAFT_MODEL_MIRROR). */
  z.object({ kind: z.literal('downloadBackbone'), params: z.object({ backbone: z.string().min(1) }).strict() }),
  /** Import a TensorFlow.js model (layers or graph) from a folder as a backbone to train on. */
  z.object({ kind: z.literal('importBackbone'), params: ImportBackboneParams }),
  /** Suggest labels for the unlabelled photos with a trained transfer run (default: the latest). */
  z.object({ kind: z.literal('suggest'), params: z.object({ runId: z.number().int().optional() }).strict() }),
  /** Classify the photos under folders with a trained model; resumable (done photos are skipped). */
  z.object({ kind: z.literal('classify'), params: ClassifyParams }),
  /** Apply an action to classified photos (preview it first with classify.plan). */
  z.object({ kind: z.literal('classifyAction'), params: ActionRequest }),
  /** Export a trained run as a model folder (ONNX, TensorFlow.js, labels, README). */
  z.object({ kind: z.literal('exportModel'), params: ExportParams }),
]);
export type JobRequest = z.infer<typeof JobRequest>;
export type JobKind = JobRequest['kind'];

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  done: z.number(),
  total: z.number().nullable(),
  /** What `done` and `total` count, e.g. "files" or "bytes". */
  unit: z.string(),
  message: z.string(),
  /** Numbers of the latest step, for live charts (training: loss, accuracy, valLoss, valAccuracy). */
  metrics: z.record(z.string(), z.number()).optional(),
  /** Units per second since the job started running, when enough has been seen to say. */
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  params: z.record(z.string(), z.unknown()),
  state: JobState,
  progress: JobProgress,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  result: z.unknown().nullable(),
});
export type Job = z.infer<typeof Job>;

export const HashFolderResult = z.object({
  files: z.number().int(),
  bytes: z.number(),
  unreadable: z.array(z.object({ path: z.string(), reason: z.string() })),
  duplicateGroups: z.array(z.array(z.string())),
});
export type HashFolderResult = z.infer<typeof HashFolderResult>;

export const Evaluation = z.object({
  accuracy: z.number(),
  top5Accuracy: z.number().nullable(),
  perClass: z.array(z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int() })),
  /** confusion[true class][predicted class] */
  confusion: z.array(z.array(z.number().int())),
  count: z.number().int(),
});
export type Evaluation = z.infer<typeof Evaluation>;

export const TrainResult = z.object({
  runId: z.number().int(),
  model: z.enum(['transfer', 'scratch']),
  backend: z.string(),
  backbone: z.string(),
  classes: z.array(z.string()),
  photos: z.object({ train: z.number().int(), earlyStopping: z.number().int(), test: z.number().int() }),
  /** Photos whose features were computed now (the rest came from the cache). */
  featuresComputed: z.number().int(),
  extractSeconds: z.number(),
  trainSeconds: z.number(),
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  evaluation: Evaluation,
  notes: z.array(z.string()),
});
export type TrainResult = z.infer<typeof TrainResult>;

export const DownloadResult = z.object({
  backbone: z.string(),
  folder: z.string(),
  bytes: z.number().int(),
  alreadyPresent: z.boolean(),
});
export type DownloadResult = z.infer<typeof DownloadResult>;

export const EpochPoint = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
});
export type EpochPoint = z.infer<typeof EpochPoint>;

export const SuggestResult = z.object({
  runId: z.number().int(),
  suggested: z.number().int(),
  unreadable: z.number().int(),
  seconds: z.number(),
});
export type SuggestResult = z.infer<typeof SuggestResult>;

export const RunSummary = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  kind: z.enum(['transfer', 'scratch']),
  backbone: z.string(),
  backend: z.string(),
  classes: z.array(z.string()),
  /** The class ids behind `classes`, in the model's output order. */
  classIds: z.array(z.number().int()),
  extractSeconds: z.number(),
  /** Photos whose features (or pixels) this run computed; the rest came from the cache. */
  featuresComputed: z.number().int(),
  photos: z.number().int(),
  trainSeconds: z.number(),
  epochs: z.number().int(),
  config: TrainParams,
  evaluation: Evaluation,
  /** Per-epoch losses and accuracies, as the training curves show them. */
  history: z.array(EpochPoint),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunPrediction = z.object({
  imageId: z.number().int(),
  hash: z.string(),
  name: z.string(),
  /** The label the photo had when the run was trained, and its label now (it may have been fixed since). */
  trueClassId: z.number().int(),
  currentClassId: z.number().int().nullable(),
  predictedClassId: z.number().int(),
  confidence: z.number(),
  loss: z.number(),
});
export type RunPrediction = z.infer<typeof RunPrediction>;

export const BackboneInfo = z.object({
  id: z.string(),
  /** Its top block can be fine-tuned (the catalogue's MobileNets). */
  fineTunable: z.boolean(),
  title: z.string(),
  url: z.string(),
  featureSize: z.number().int(),
  licence: z.string(),
  available: z.boolean(),
  folder: z.string(),
});
export type BackboneInfo = z.infer<typeof BackboneInfo>;

export const Split = z.enum(['train', 'validation', 'test']);

export const ClassInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  color: z.string(),
  position: z.number().int(),
  count: z.number().int(),
});
export type ClassInfo = z.infer<typeof ClassInfo>;

export const ImageQuery = z
  .object({
    classId: z.union([z.number().int(), z.literal('unlabelled')]).optional(),
    split: Split.optional(),
    folder: z.string().optional(),
    search: z.string().max(200).optional(),
    /** Only unlabelled photos with a suggestion. */
    suggested: z.boolean().optional(),
    /** 'uncertainty': the "label next" queue, photos the model is least sure of first. */
    sort: z.enum(['name', 'added', 'class', 'uncertainty']).default('name'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(2000).default(200),
  })
  .strict();
export type ImageQuery = z.output<typeof ImageQuery>;

export const LibraryImage = z.object({
  id: z.number().int(),
  hash: z.string(),
  classId: z.number().int().nullable(),
  split: Split,
  splitSource: z.enum(['auto', 'folder', 'pinned']),
  width: z.number().int(),
  height: z.number().int(),
  path: z.string(),
  name: z.string(),
  /** Every known path of this photo is gone. */
  missing: z.boolean(),
  /** How many paths this photo has (copies in several folders). */
  paths: z.number().int(),
  /** A trained model's guess, for unlabelled photos (graft suggest). */
  suggestedClassId: z.number().int().nullable(),
  suggestionConfidence: z.number().nullable(),
});
export type LibraryImage = z.infer<typeof LibraryImage>;

export const LibraryPage = z.object({ total: z.number().int(), offset: z.number().int(), items: z.array(LibraryImage) });
export type LibraryPage = z.infer<typeof LibraryPage>;

export const LibrarySummary = z.object({
  images: z.number().int(),
  unlabelled: z.number().int(),
  splits: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  missingPaths: z.number().int(),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
  folders: z.array(z.string()),
  classes: z.array(ClassInfo),
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

const ClassName = z.string().trim().min(1, 'Give the class a name.').max(100);
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2f7d5b.');
const ImageIds = z.array(z.number().int()).max(1_000_000);

const NoParams = z.object({}).strict();
const ProjectPath = z.string().trim().min(1, 'Give the path of a project file.');

/** Requests: method name → params schema and result schema. */
export const methods = {
  'app.info': { params: NoParams, result: AppInfo },
  'projects.recent': { params: NoParams, result: z.array(RecentProject) },
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
  'classes.merge': { params: z.object({ from: z.number().int(), into: z.number().int() }).strict(), result: ClassInfo },
  'classes.delete': { params: z.object({ id: z.number().int() }).strict(), result: z.null() },
  'classes.reorder': { params: z.object({ ids: z.array(z.number().int()) }).strict(), result: z.array(ClassInfo) },
  /** Labels photos (classId null: unlabel) as one undoable action; returns how many changed. */
  'labels.set': { params: z.object({ imageIds: ImageIds, classId: z.number().int().nullable() }).strict(), result: z.number().int() },
  /** Accepts the suggested labels of these photos, as one undoable action; returns how many changed. */
  'suggestions.accept': { params: z.object({ imageIds: ImageIds }).strict(), result: z.number().int() },
  'labels.undo': { params: NoParams, result: z.number().int() },
  'labels.redo': { params: NoParams, result: z.number().int() },
  'splits.pin': { params: z.object({ imageIds: ImageIds, split: Split.nullable() }).strict(), result: z.null() },
  'splits.configure': {
    params: z
      .object({ train: z.number().min(0), validation: z.number().min(0), test: z.number().min(0), seed: z.number().int() })
      .strict()
      .refine((r) => r.train + r.validation + r.test > 0, 'The ratios cannot all be zero.'),
    result: z.null(),
  },
  'backbones.list': { params: NoParams, result: z.array(BackboneInfo) },
  'runs.list': { params: NoParams, result: z.array(RunSummary) },
  /** A run's test photos: one confusion-matrix cell when both classes are given, highest loss first (top losses). */
  'runs.predictions': {
    params: z
      .object({ runId: z.number().int(), trueClassId: z.number().int().optional(), predictedClassId: z.number().int().optional(), limit: z.number().int().min(1).max(5000).default(200) })
      .strict(),
    result: z.array(RunPrediction),
  },
  /** Models that have classified photos in this project. */
  'classify.classifiers': { params: NoParams, result: z.array(ClassifierInfo) },
  'classify.summary': { params: ResultFilter.pick({ classifierId: true, threshold: true }).strict(), result: ClassifySummary },
  'classify.results': { params: ResultsQuery, result: ResultsPage },
  /** The dry run of an action: what applying it would do, file by file (the first 200). */
  'classify.plan': { params: ActionRequest, result: ActionPlan },
  'jobs.list': { params: NoParams, result: z.array(Job) },
  'jobs.start': { params: JobRequest, result: Job },
  'jobs.cancel': { params: z.object({ id: z.number().int() }).strict(), result: Job },
  /** Runs an interrupted, failed or cancelled job again with the same parameters. */
  'jobs.retry': { params: z.object({ id: z.number().int() }).strict(), result: Job },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

/** Events the main side pushes to every connected user interface. */
export const events = {
  'job.updated': Job,
  'project.changed': ProjectInfo.nullable(),
  /** Photos, labels or classes changed: views showing them should reload. */
  'library.changed': z.object({ reason: z.enum(['import', 'labels', 'classes', 'splits', 'classified']) }),
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

export const ImportResult = z.object({
  /** Image files found under the folders. */
  found: z.number().int(),
  /** New photos added to the project. */
  added: z.number().int(),
  /** Photos already in the project found at a new path (a copy, or a moved file). */
  newPaths: z.number().int(),
  unchanged: z.number().int(),
  /** Files that are not images by their extension. */
  skipped: z.number().int(),
  /** Known paths under these folders that are gone now (flagged, labels kept). */
  missing: z.number().int(),
  labelled: z.number().int(),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;

/** The result each kind of job reports when it finishes. */
export const jobResults = {
  hashFolder: HashFolderResult,
  import: ImportResult,
  train: TrainResult,
  suggest: SuggestResult,
  downloadBackbone: DownloadResult,
  importBackbone: ImportBackboneResult,
  classify: ClassifyResult,
  classifyAction: ActionResult,
  exportModel: ExportResult,
} as const satisfies Record<JobKind, z.ZodType>;

/** The browser mode's HTTP header carrying the per-launch token. */
export const TOKEN_HEADER = 'x-graft-token';
