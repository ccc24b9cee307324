/** Training runs, their evaluation, backbones and suggestions. */
import { z } from 'zod';
import { DEFAULT_BACKBONE, PREPROCESSINGS } from '../catalogue';


export const TrainParams = z
  .object({
    /** transfer: pretrained backbone features + a small head; scratch: a small CNN trained from nothing (the baseline). */
    model: z.enum(['transfer', 'scratch']).default('transfer'),
    backbone: z.string().default(DEFAULT_BACKBONE),
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
    /** A TensorFlow.js model's folder, a .tflite or .onnx file, or a folder holding one. */
    folder: z.string().trim().min(1, 'Choose the folder of a TensorFlow.js model, or a .tflite or .onnx file.'),
    name: z.string().trim().min(1).max(80).optional(),
    /** The layer (graph node, ONNX node or value) whose output is the features; by default found in the model. */
    featureLayer: z.string().trim().min(1).optional(),
    /**
     * How the model expects pixels, where it does not say itself (TFLite quantization or metadata,
     * ONNX metadata). Unsaid: scale_-1_1 for TensorFlow.js and TFLite models; an ONNX model is
     * refused, asking for it.
     */
    preprocessing: z.enum(PREPROCESSINGS).optional(),
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
  /**
   * How pixels are scaled for it, and who said so: the model (ONNX metadata; a TFLite file's
   * quantization or metadata, when `scaling` is null: the file maps pixels itself), the person
   * importing it, or Graft's default.
   */
  preprocessing: z.object({ scaling: z.enum(PREPROCESSINGS).nullable(), from: z.enum(['metadata', 'chosen', 'default']) }),
  /** What Graft read from the model and decided, for people: an ONNX model's input and layout, its normalisation, its features. */
  notes: z.array(z.string()),
});
export type ImportBackboneResult = z.infer<typeof ImportBackboneResult>;

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
  /** What computed the features now (onnxruntime and its device, or TensorFlow.js); null when all came from the cache. */
  engine: z.string().nullable(),
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
  /**
   * How the download was checked: every file's SHA-256 against the catalogue's, only the sizes, or
   * not at all (a TFLite file Graft has no record of; converting it proves only that it is one);
   * null when nothing was downloaded.
   */
  verifiedBy: z.enum(['sha256', 'size', 'unchecked']).nullable(),
  /** The weights' licence, also saved beside them as LICENSE.txt. */
  licence: z.string(),
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

/** The one phrase for the small network that learns from the photos alone, wherever the interface names it. */
export const LEARNED_FROM_SCRATCH = 'Learned from scratch';

export const RunSummary = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  kind: z.enum(['transfer', 'scratch']),
  backbone: z.string(),
  /** What people read for the network it built on: its plain title (the catalogue's, or an import's), or LEARNED_FROM_SCRATCH. */
  network: z.string(),
  backend: z.string(),
  /** What computed the features (onnxruntime and its device); null when they all came from the cache. */
  engine: z.string().nullable(),
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
  /** The split that measured it: test, or validation standing in for a missing test split (null: recorded before Graft kept it). */
  evaluatedOn: z.enum(['test', 'validation']).nullable(),
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
  /** Short and plain, distinct from every other network's. */
  title: z.string(),
  /** The technical facts behind the title (what it is, how it was made smaller, who publishes it, its id). */
  detail: z.string(),
  url: z.string(),
  /** Length of its feature vector; null for a TensorFlow Lite backbone not downloaded yet, whose length Graft has not recorded. */
  featureSize: z.number().int().nullable(),
  licence: z.string(),
  available: z.boolean(),
  folder: z.string(),
  /** How Graft gets it: a TensorFlow.js model downloaded as published, a TensorFlow Lite file downloaded and converted, or a model the user imported. */
  source: z.enum(['tfjs', 'tflite', 'imported']),
  /** What downloading it takes (src/shared/backboneDownloads.ts); null where unknown, and for an imported model. */
  size: z.object({ bytes: z.number().int(), exact: z.boolean() }).nullable(),
});
export type BackboneInfo = z.infer<typeof BackboneInfo>;

/** A photo given to "Try it": its bytes (JPEG, PNG, WebP…) in base64, a few megabytes at most. */
export const PhotoBytes = z
  .string()
  .min(16)
  .max(12_000_000, 'The photo is too large to try: use one under 9 MB.')
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The photo must be sent as base64.');

export const TryItResult = z.object({
  runId: z.number().int(),
  /** The model's best guesses, best first (empty when only the model was loaded). */
  guesses: z.array(z.object({ label: z.string(), confidence: z.number() })),
  /** Time to answer, model loading included the first time. */
  seconds: z.number(),
  engine: z.string(),
});
export type TryItResult = z.infer<typeof TryItResult>;

/** Download a pretrained backbone of the catalogue into the models folder (needs internet, or GRAFT_MODEL_MIRROR). */
export const DownloadBackboneParams = z.object({ backbone: z.string().min(1) }).strict();

/** Suggest labels for the unlabelled photos with a trained transfer run (default: the best, src/shared/bestRun.ts). */
export const SuggestParams = z.object({ runId: z.number().int().optional() }).strict();

/** The seed experiment in one job: the from-scratch CNN and every ready backbone, trained on the same photos and splits. */
export const CompareParams = z
  .object({
    /** Backbones to compare (default: every one in the models folder). */
    backbones: z.array(z.string().min(1)).optional(),
    /** Most epochs of the from-scratch CNN (it trains for minutes to hours). */
    scratchEpochs: z.number().int().min(1).max(200).default(20),
    seed: z.number().int().default(1),
  })
  .strict();

/**
 * The Train view's settings, remembered per project (as the classify threshold is per model): its
 * advanced settings, and the most passes of the network learned from scratch in Compare networks.
 * Their limits and defaults are those of the jobs they start (TrainParams, CompareParams), so that
 * what the view lets a person choose is what the job accepts.
 */
export const TrainChoices = z
  .object({
    ...TrainParams.pick({ epochs: true, hidden: true, crop: true }).shape,
    fineTune: z.boolean().default(false),
    /** The passes of fine-tuning when `fineTune` is on: at least one (off is `fineTune`, not 0), and 5 until changed. */
    fineTuneEpochs: TrainParams.shape.fineTuneEpochs.unwrap().min(1).default(5),
    scratchEpochs: CompareParams.shape.scratchEpochs,
  })
  .strict();
export type TrainChoices = z.output<typeof TrainChoices>;

/** The same fields without their defaults: a default would fill in what a change leaves out. */
type WithoutDefaults<Shape extends Record<string, z.ZodDefault>> = { [Key in keyof Shape]: ReturnType<Shape[Key]['unwrap']> };
const withoutDefaults = <Shape extends Record<string, z.ZodDefault>>(shape: Shape): WithoutDefaults<Shape> =>
  Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.unwrap()])) as WithoutDefaults<Shape>;

/** Some of the choices, to change (what is left out stays as it was). */
export const TrainChoicesChange = z.object(withoutDefaults(TrainChoices.shape)).partial().strict();

/** A number choice's limits, for the input that sets it (its min and max attributes). */
export function choiceLimits(key: 'epochs' | 'hidden' | 'fineTuneEpochs' | 'scratchEpochs'): { min: number | null; max: number | null } {
  const field = TrainChoices.shape[key].unwrap();
  return { min: field.minValue, max: field.maxValue };
}

export const ComparisonRow = z.object({
  runId: z.number().int(),
  model: z.enum(['transfer', 'scratch']),
  backbone: z.string(),
  title: z.string(),
  /** Computing the features (or decoding the photos) and training, in seconds: the time to a model. */
  seconds: z.number(),
  accuracy: z.number(),
  testPhotos: z.number().int(),
  /** Against the from-scratch CNN: how many times less time, and how many times its accuracy. */
  timeRatio: z.number().nullable(),
  accuracyRatio: z.number().nullable(),
});
export type ComparisonRow = z.infer<typeof ComparisonRow>;

export const CompareResult = z.object({ rows: z.array(ComparisonRow), notes: z.array(z.string()) });
export type CompareResult = z.infer<typeof CompareResult>;

/** The last comparison that finished in a project: its job and what it found (its runs stay in the runs table). */
export const LatestComparison = z.object({ jobId: z.number().int(), finishedAt: z.string(), result: CompareResult });
export type LatestComparison = z.infer<typeof LatestComparison>;
