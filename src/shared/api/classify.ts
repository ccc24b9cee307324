/** The part of the API contract about classifying a photo library and exporting models. */
import { z } from 'zod';

const Id = z.number().int().min(1);

/** Which classified photos: everything a classifier classified, or a part of it. */
export const ResultFilter = z
  .object({
    classifierId: Id,
    /** Below this confidence a photo is "unknown" (none of the classes); 0 turns it off. */
    threshold: z.number().min(0).max(1).default(0),
    /** A class name of the classifier, `unknown` (below the threshold), or `error` (files that could not be read). */
    label: z.string().max(200).optional(),
    minConfidence: z.number().min(0).max(1).optional(),
    maxConfidence: z.number().min(0).max(1).optional(),
  })
  .strict();
export type ResultFilter = z.output<typeof ResultFilter>;

export const UNKNOWN_LABEL = 'unknown';
export const ERROR_LABEL = 'error';

/** A model to classify with: a training run of this project, or a folder exported from any project. */
export const ModelChoice = z.union([z.object({ runId: Id }).strict(), z.object({ folder: z.string().trim().min(1) }).strict()]);
export type ModelChoice = z.infer<typeof ModelChoice>;

export const ClassifyParams = z
  .object({
    model: ModelChoice,
    folders: z.array(z.string().trim().min(1)).min(1, 'Choose at least one folder.'),
    /** How many best guesses each photo keeps (the CSV's top-k). */
    topK: z.number().int().min(1).max(10).default(3),
  })
  .strict();

const Problem = z.object({ path: z.string(), reason: z.string() });

export const ClassifyResult = z.object({
  /** The project's record of the model; null when classifying without a project. */
  classifierId: z.number().int().nullable(),
  /** Image files under the folders. */
  found: z.number().int(),
  /** Photos the model looked at in this job. */
  classified: z.number().int(),
  /** Photos whose content this model had already classified at another path (copies). */
  reused: z.number().int(),
  /** Files classified by an earlier job and unchanged since (a resumed job skips them). */
  unchanged: z.number().int(),
  failed: z.number().int(),
  seconds: z.number(),
  photosPerSecond: z.number(),
  engine: z.string(),
  /** The first problems, by file (all of them are in the results, label `error`). */
  problems: z.array(Problem),
});
export type ClassifyResult = z.infer<typeof ClassifyResult>;

/**
 * Classifying without a project: an exported model folder, results appended to a .csv or .jsonl
 * file as they come. The file is the record: a second run with the same file resumes.
 */
export const ClassifyToFileParams = z
  .object({
    /** A model folder exported with graft export. */
    model: z.string().trim().min(1, 'Choose a model folder exported by Graft.'),
    folders: z.array(z.string().trim().min(1)).min(1, 'Choose at least one folder.'),
    topK: z.number().int().min(1).max(10).default(3),
    /** Below this confidence a photo is "unknown". */
    threshold: z.number().min(0).max(1).default(0),
    out: z.string().trim().regex(/\.(csv|jsonl)$/i, 'Without a project, results go to a .csv or .jsonl file (written as they come, and resumed).'),
  })
  .strict();

export const ClassifyToFileResult = ClassifyResult.extend({
  out: z.string(),
  /** Photos per label written by this run (the model's classes, then unknown and error). */
  counts: z.array(z.object({ label: z.string(), count: z.number().int() })),
  /** Photos the file already listed from an earlier run (resumed). */
  resumed: z.number().int(),
});
export type ClassifyToFileResult = z.infer<typeof ClassifyToFileResult>;

export const Guess = z.object({ label: z.string(), confidence: z.number() });

export const ClassifiedPhoto = z.object({
  id: z.number().int(),
  path: z.string(),
  name: z.string(),
  hash: z.string().nullable(),
  /** The best class, `unknown` below the threshold, or `error`. */
  label: z.string(),
  confidence: z.number().nullable(),
  top: z.array(Guess),
  error: z.string().nullable(),
});
export type ClassifiedPhoto = z.infer<typeof ClassifiedPhoto>;

export const ResultsQuery = ResultFilter.extend({
  sort: z.enum(['path', 'confidence', 'confidence_desc']).default('path'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(2000).default(200),
}).strict();

export const ResultsPage = z.object({ total: z.number().int(), offset: z.number().int(), items: z.array(ClassifiedPhoto) });
export type ResultsPage = z.infer<typeof ResultsPage>;

export const ClassifySummary = z.object({
  classifierId: z.number().int(),
  labels: z.array(z.string()),
  total: z.number().int(),
  /** Photos per label, in the model's class order, then `unknown` and `error`. */
  counts: z.array(z.object({ label: z.string(), count: z.number().int() })),
});
export type ClassifySummary = z.infer<typeof ClassifySummary>;

/** A model that has classified photos in this project. */
export const ClassifierInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The training run it is, when it is one of this project's. */
  runId: z.number().int().nullable(),
  labels: z.array(z.string()),
  photos: z.number().int(),
});
export type ClassifierInfo = z.infer<typeof ClassifierInfo>;

export const ActionKind = z.enum(['csv', 'json', 'copy', 'move', 'link', 'xmp', 'suggest']);
export type ActionKind = z.infer<typeof ActionKind>;

export const ActionRequest = z
  .object({
    filter: ResultFilter,
    action: ActionKind,
    /** The file (csv, json) or folder (copy, move, link) to write to. */
    target: z.string().trim().min(1).optional(),
    /** csv, json: replace the file if one is there (the app asks first; the CLI needs --force). Otherwise an existing file is refused. */
    overwrite: z.boolean().optional(),
  })
  .strict()
  .refine((r) => !['csv', 'json', 'copy', 'move', 'link'].includes(r.action) || r.target, { message: 'Choose where to write.', path: ['target'] });
export type ActionRequest = z.output<typeof ActionRequest>;

export const PlannedOperation = z.object({
  /** The photo (or, for csv/json, the file to write). */
  source: z.string(),
  /** Where it goes; null when nothing is written to a path (suggestions). */
  destination: z.string().nullable(),
  /** What happens, in words, when it is not the plain case ("exists: renamed", "already done"). */
  note: z.string().nullable(),
  skip: z.boolean(),
});
export type PlannedOperation = z.infer<typeof PlannedOperation>;

export const ActionPlan = z.object({
  action: ActionKind,
  /** Sentence for people: what applying will do. */
  summary: z.string(),
  total: z.number().int(),
  skipped: z.number().int(),
  /** The first operations, to preview. */
  operations: z.array(PlannedOperation),
  /** Existing files applying would replace (csv, json): applied only with `overwrite`. */
  replacesFiles: z.array(z.string()),
});
export type ActionPlan = z.infer<typeof ActionPlan>;

export const ActionResult = z.object({
  action: ActionKind,
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.array(Problem),
  summary: z.string(),
});
export type ActionResult = z.infer<typeof ActionResult>;

export const ExportParams = z.object({ runId: Id, folder: z.string().trim().min(1, 'Choose a folder to export to.') }).strict();

export const ExportResult = z.object({
  folder: z.string(),
  /** The exported files run on the run's test photos and compared with what Graft predicted for them when it evaluated the run. */
  verification: z.object({
    photos: z.number().int(),
    /** Photos where each format's best class is Graft's (ONNX: null when no ONNX file could be made). */
    onnxAgree: z.number().int().nullable(),
    tfjsAgree: z.number().int(),
    /** Largest difference between a format's probability for Graft's class and Graft's, over the photos checked. */
    maxDifference: z.number(),
  }),
  labels: z.array(z.string()),
  backbone: z.string(),
  files: z.array(z.string()),
  /** Said to the user: e.g. why there is no ONNX file. */
  notes: z.array(z.string()),
  seconds: z.number(),
});
export type ExportResult = z.infer<typeof ExportResult>;
