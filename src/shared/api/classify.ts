/** The part of the API contract about classifying a photo library and exporting models. */
import { z } from 'zod';

const Id = z.number().int().min(1);

/**
 * Below this confidence a classified photo is "unknown" (none of the classes) unless the person
 * chose another level: the app's slider, `graft classify` and `graft results` all start here, and
 * then from the level last chosen for that model's results. At 70 % a photo the model hesitates
 * about between two classes is not filed as either.
 */
export const DEFAULT_UNKNOWN_THRESHOLD = 0.7;

/** Which classified photos: everything a classifier classified, or a part of it. */
export const ResultFilter = z
  .object({
    classifierId: Id,
    /** Below this confidence a photo is "unknown" (none of the classes); 0 turns it off. */
    threshold: z.number().min(0).max(1).default(DEFAULT_UNKNOWN_THRESHOLD),
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

/** Which shard of the photos a process classifies (src/shared/sharding.ts chooses it). */
export const ShardParam = z
  .object({
    index: z.number().int().min(0),
    count: z.number().int().min(1),
    source: z.enum(['flag', 'kubernetes', 'slurm', 'aws-batch', 'none']),
    /** Where the numbers came from, in words. */
    detail: z.string(),
  })
  .strict()
  .refine((s) => s.index < s.count, { message: 'The shard index must be below the number of shards.' });

/**
 * Classifying without a project: an exported model folder, results appended to a .csv or .jsonl
 * file as they come. The file is the record: a second run with the same file resumes. A shard
 * classifies only its part of the photos, into a .jsonl file that `graft results merge` reads.
 */
export const ClassifyToFileParams = z
  .object({
    /** A model folder exported with graft export. */
    model: z.string().trim().min(1, 'Choose a model folder exported by Graft.'),
    folders: z.array(z.string().trim().min(1)).default([]),
    /** Instead of folders: a file listing the photos, one path per line (relative ones from the file's folder). */
    list: z.string().trim().min(1).optional(),
    topK: z.number().int().min(1).max(10).default(3),
    /** Below this confidence a photo is "unknown". */
    threshold: z.number().min(0).max(1).default(DEFAULT_UNKNOWN_THRESHOLD),
    out: z.string().trim().regex(/\.(csv|jsonl)$/i, 'Without a project, results go to a .csv or .jsonl file (written as they come, and resumed).'),
    shard: ShardParam.default({ index: 0, count: 1, source: 'none', detail: 'no shard given: every photo' }),
  })
  .strict()
  .refine((p) => (p.folders.length > 0) !== (p.list !== undefined), { message: 'Give folders to classify, or a list of photos, not both.', path: ['folders'] })
  .refine((p) => p.shard.count === 1 || /\.jsonl$/i.test(p.out), { message: 'A shard writes a .jsonl file (with what a merge needs).', path: ['out'] });

export const ClassifyToFileResult = ClassifyResult.extend({
  out: z.string(),
  /** Photos per label written by this run (the model's classes, then unknown and error). */
  counts: z.array(z.object({ label: z.string(), count: z.number().int() })),
  /** Photos the file already listed from an earlier run (resumed). */
  resumed: z.number().int(),
  shard: ShardParam,
  /** Photos in the whole listing, every shard's (`found` is this shard's). */
  listingTotal: z.number().int(),
});
export type ClassifyToFileResult = z.infer<typeof ClassifyToFileResult>;

/** Bringing results classified elsewhere (shard outputs of `graft classify --out x.jsonl`) into the project. */
export const MergeResultsParams = z
  .object({
    /** .jsonl outputs (each with its .manifest.json), or folders holding them. */
    inputs: z.array(z.string().trim().min(1)).min(1, 'Choose the result files to import, or the folder holding them.'),
  })
  .strict();

const Listed = z.object({ count: z.number().int(), examples: z.array(z.string()) });

export const MergeResultsResult = z.object({
  classifierId: z.number().int(),
  model: z.string(),
  files: z.array(z.object({ file: z.string(), shard: z.number().int(), shards: z.number().int(), rows: z.number().int(), photos: z.number().int(), complete: z.boolean() })),
  /** Rows read from every file. */
  rows: z.number().int(),
  /** Classified photos new to the project, changed, and already there the same (a second merge adds nothing). */
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  /** Rows the project knew by content: stored at the project's own path for that photo. */
  byHash: z.number().int(),
  /** The same photo (same key and content) in two rows: present twice, kept once. */
  duplicates: Listed,
  /** Photos of the listing with no row in any file: their count, and their paths when the listing could be read again here. */
  missing: Listed.extend({ exact: z.boolean(), absentShards: z.array(z.number().int()), unfinishedShards: z.array(z.number().int()), note: z.string().nullable() }),
  malformed: z.array(z.object({ file: z.string(), line: z.number().int(), reason: z.string() })),
  seconds: z.number(),
});
export type MergeResultsResult = z.infer<typeof MergeResultsResult>;

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
  /** The "unknown below" level last chosen for these results (DEFAULT_UNKNOWN_THRESHOLD until one is). */
  threshold: z.number(),
});
export type ClassifierInfo = z.infer<typeof ClassifierInfo>;

/** Classified photos added to the project's library with a label (corrections become training data). */
export const AddedToLibrary = z.object({
  /** Photos new to the library. */
  added: z.number().int(),
  /** Photos whose label changed (new ones and those the library had). */
  labelled: z.number().int(),
  classId: z.number().int(),
  /** Files that could not be added, and why. */
  problems: z.array(Problem),
});
export type AddedToLibrary = z.infer<typeof AddedToLibrary>;

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
    /** Photos where each format's best class is Graft's (null when the export has no such file: no ONNX file could be made, or no TensorFlow.js model can hold the backbone). */
    onnxAgree: z.number().int().nullable(),
    tfjsAgree: z.number().int().nullable(),
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
