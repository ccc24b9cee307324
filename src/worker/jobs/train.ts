/**
 * The training job, as its steps: select the labelled photos → their model inputs (backbone
 * features from the cache, or decoded pixels for the from-scratch baseline) → split them (the test
 * split is never trained on nor used to stop training) → fit with callbacks (history, early
 * stopping, progress) → optionally fine-tune the backbone's top block → evaluate on the test
 * split and record the run.
 */
import type { EpochPoint, TrainParams, TrainResult } from '../../shared/api/training';
import type { Backbone } from '../../shared/catalogue';
import type { JobParams } from '../../shared/jobs/registry';
import { evaluate } from '../../shared/metrics';
import type { HeadWeights, LayerWeights } from '../../shared/modelWeights';
import { describeBlocks, trainingReadiness } from '../../shared/readiness';
import { splitPosition } from '../../shared/splits';
import { count } from '../../shared/words';
import type { LabelledPhoto } from '../../node/data/libraryStore';
import type { ProjectStores } from '../../node/data/projectStores';
import { requireBackbone } from '../../node/models/modelStore';
import { photoPixels } from '../../node/photos/decode';
import { cachedFeatures } from '../ml/features';
import { fineTuneTopBlock } from '../ml/fineTune';
import { EarlyStopping, fit, History, tensorDataset, type Callback } from '../ml/fit';
import { Head } from '../ml/head';
import { bundledRowProductThread, type RowProductThread } from '../ml/rowProductClient';
import type { MultiplyRows } from '../ml/rowProducts';
import { trainSoftmaxHead } from '../ml/softmaxHead';
import type { ParameterModel } from '../ml/parameterModel';
import { augmentImages, SCRATCH_FILTERS, SCRATCH_INPUT_SIZE, ScratchCnn } from '../ml/scratchCnn';
import { initTensorflow, tf } from '../ml/tensorflow';
import { registerWasmGradientKernels } from '../ml/wasmGradients';
import { mapAhead } from '../pipeline/photoBatches';
import type { JobContext } from '../../shared/jobs/jobContext';
import type { ProjectJobEnvironment } from './jobEnvironment';

/** Share of the train split held out for early stopping when the project has no separate validation photos. */
const HOLDOUT = 0.15;

interface Selection {
  photos: LabelledPhoto[];
  /** The classes that have photos, in the project's order: the model's outputs. */
  classes: { id: number; name: string }[];
  classIndex: Map<number, number>;
}

/** Step 1: the labelled photos and the classes the model will tell apart. */
function select(stores: ProjectStores): Selection {
  const photos = stores.library.labelledPhotos();
  const used = new Set(photos.map((p) => p.classId));
  const classes = stores.library
    .classes()
    .filter((c) => used.has(c.id))
    .map((c) => ({ id: c.id, name: c.name }));
  if (classes.length < 2) throw new Error('Label photos of at least two classes before training.');
  return { photos, classes, classIndex: new Map(classes.map((c, i) => [c.id, i])) };
}

interface Inputs {
  /** One row of model input per photo, by content hash. */
  rows: Map<string, Float32Array | Uint8Array>;
  unreadable: { path: string; reason: string }[];
  computed: number;
  seconds: number;
  /** What computed the features now (onnxruntime and its device); null when none were computed. */
  engine: string | null;
}

/** Decoded photos for the from-scratch CNN, kept in memory (64x64: 12 KB a photo). */
async function scratchPixels(photos: LabelledPhoto[], params: TrainParams, context: JobContext): Promise<Omit<Inputs, 'seconds' | 'engine'>> {
  const rows = new Map<string, Uint8Array>();
  const unreadable: { path: string; reason: string }[] = [];
  let done = 0;
  const load = async (photo: LabelledPhoto) => (photo.path ? photoPixels(photo.path, SCRATCH_INPUT_SIZE, params.crop).catch(() => null) : null);
  for await (const { item, result } of mapAhead(photos, load, 16, context.signal)) {
    if (result) rows.set(item.hash, result);
    else unreadable.push({ path: item.path ?? item.hash, reason: item.path ? 'could not be decoded' : 'every file of this photo is missing' });
    context.progress(++done, photos.length, 'photos', 'Reading photos');
  }
  return { rows, unreadable, computed: rows.size };
}

/** Step 2: the model's input for every photo. */
async function inputs(stores: ProjectStores, photos: LabelledPhoto[], backbone: Backbone | null, params: TrainParams, context: JobContext, recompute: boolean): Promise<Inputs> {
  const started = Date.now();
  if (!backbone) return { ...(await scratchPixels(photos, params, context)), seconds: (Date.now() - started) / 1000, engine: null };
  const extracted = await cachedFeatures(stores.features, photos, backbone, params.crop, context, { recompute });
  return { rows: extracted.vectors, unreadable: extracted.unreadable, computed: extracted.computed, seconds: (Date.now() - started) / 1000, engine: extracted.engine };
}

interface Sets {
  fitting: LabelledPhoto[];
  stopping: LabelledPhoto[];
  test: LabelledPhoto[];
  notes: string[];
}

/**
 * Step 3: the sets. Honest evaluation: the test split is never trained on nor used to stop
 * training. A project without test photos is evaluated on its validation photos, and early
 * stopping then uses a held-out part of the train split instead.
 */
function splitSets(usable: LabelledPhoto[], seed: number): Sets {
  const notes: string[] = [];
  const hasTest = usable.some((p) => p.split === 'test');
  const test = usable.filter((p) => p.split === (hasTest ? 'test' : 'validation'));
  let fitting = usable.filter((p) => p.split === 'train');
  let stopping = hasTest ? usable.filter((p) => p.split === 'validation') : [];
  if (!stopping.length) {
    const position = (p: LabelledPhoto) => splitPosition(p.hash, seed + 7);
    stopping = fitting.filter((p) => position(p) < HOLDOUT);
    // However few the photos, one is held out: the head's regularisation is chosen on them.
    if (!stopping.length && fitting.length > 1) stopping = [fitting.reduce((a, b) => (position(b) < position(a) ? b : a))];
    const held = new Set(stopping);
    fitting = fitting.filter((p) => !held.has(p));
    notes.push(`Early stopping used ${stopping.length} photos held out of the train split.`);
  }
  if (!hasTest) notes.push('The project has no test photos: the validation photos are the test set.');
  if (!test.length) throw new Error('There are no labelled photos in the test or validation split to evaluate on. Change the split ratios (graft splits) or label more photos.');
  if (!fitting.length) throw new Error('There are no labelled photos in the train split.');
  return { fitting, stopping, test, notes };
}

/** A set of photos as one tensor of model inputs (features, or pixels scaled to [-1, 1] for the CNN) and its labels. */
interface Tensors {
  features: tf.Tensor;
  labels: number[];
}

function toTensors(set: LabelledPhoto[], rows: Inputs['rows'], shape: number[], classIndex: Map<number, number>): Tensors {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(set.length * size);
  set.forEach((p, i) => {
    const row = rows.get(p.hash)!;
    if (row instanceof Float32Array) values.set(row, i * size);
    else for (let j = 0; j < size; j++) values[i * size + j] = row[j] / 127.5 - 1;
  });
  return { features: tf.tensor(values, [set.length, ...shape]), labels: set.map((p) => classIndex.get(p.classId)!) };
}

/** Live progress per epoch; `first` continues the numbering of an earlier stage on the curves. */
function progressCallback(context: JobContext, first: number, total: number, stage: string): Callback {
  return {
    onEpochEnd: (logs: EpochPoint) =>
      context.progress(
        logs.epoch,
        total,
        'epochs',
        `${stage}loss ${logs.loss.toFixed(3)}${logs.valLoss !== null ? ` · validation loss ${logs.valLoss.toFixed(3)} · validation accuracy ${(100 * (logs.valAccuracy ?? 0)).toFixed(1)}%` : ''}`,
        { ...logs, epoch: first + logs.epoch },
      ),
  };
}

interface FittedModel {
  history: EpochPoint[];
  bestEpoch: number;
  testProbabilities: number[][];
  weights: unknown;
}

/** Step 4, the usual case: softmax regression on the features, solved to its optimum, its strength chosen on the validation photos. */
async function convexHead(trainSet: Tensors, stopSet: Tensors, testSet: Tensors, classCount: number, classWeights: number[], env: JobContext, multiply: MultiplyRows | undefined): Promise<FittedModel> {
  const rows = async (set: Tensors) => ({ features: (await set.features.data()) as Float32Array, labels: set.labels });
  let tried = 0;
  const result = await trainSoftmaxHead(await rows(trainSet), await rows(stopSet), {
    classCount,
    classWeights,
    signal: env.signal,
    multiply,
    onStrength: (point) => env.progress(++tried, null, 'fits', `Finding the best fit: ${tried} tried · validation accuracy ${(100 * point.valAccuracy).toFixed(1)}%`, point),
  });
  const head = Head.fromJSON(result.weights);
  const testProbabilities = await head.predict(testSet.features);
  head.dispose();
  return { history: result.history, bestEpoch: result.chosen.epoch, testProbabilities, weights: result.weights };
}

/** Step 4 with a hidden layer, or the from-scratch CNN: mini-batch training with early stopping, restoring the best epoch. */
async function minibatch(backbone: Backbone | null, trainSet: Tensors, stopSet: Tensors | null, testSet: Tensors, classCount: number, classWeights: number[], params: TrainParams, env: JobContext): Promise<FittedModel> {
  const model: ParameterModel<unknown> = backbone
    ? new Head({ inputSize: backbone.featureSize, classCount, hidden: params.hidden, dropout: params.dropout, seed: params.seed })
    : new ScratchCnn({ inputSize: SCRATCH_INPUT_SIZE, classCount, filters: SCRATCH_FILTERS, dropout: params.dropout, seed: params.seed });
  const history = new History();
  const earlyStopping = new EarlyStopping(params.patience);
  try {
    await fit(
      model,
      {
        train: tensorDataset(trainSet.features, trainSet.labels, backbone ? undefined : augmentImages),
        validation: stopSet ? tensorDataset(stopSet.features, stopSet.labels) : null,
        classCount,
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate,
        classWeights,
        seed: params.seed,
        signal: env.signal,
      },
      [history, earlyStopping, progressCallback(env, 0, params.epochs, '')],
    );
    env.signal.throwIfAborted();
    return { history: history.epochs, bestEpoch: earlyStopping.bestEpoch || history.epochs.length, testProbabilities: await model.predict(testSet.features), weights: await model.toJSON() };
  } finally {
    model.dispose();
  }
}

/** What the library says about the honesty of the score: copies kept together, folders that disagree. */
function libraryNotes(stores: ProjectStores): string[] {
  const notes: string[] = [];
  const near = stores.splits.nearDuplicateSummary();
  if (near.groups) notes.push(`${near.photos} photos are near-identical copies of one another (${near.groups} groups); each group is kept in one split, so copies cannot inflate the score.`);
  const conflicts = stores.imports.conflicts();
  if (conflicts.length) notes.push(`${conflicts.length} photos were found in folders that disagree; for example ${conflicts[0].paths.join(' and ')}: ${conflicts[0].detail}.`);
  return notes;
}

/** Balanced class weights: each class counts as much as the others, however many photos it has. */
function classWeightsOf(labels: number[], classCount: number): number[] {
  const counts = Array.from({ length: classCount }, (_, c) => labels.filter((l) => l === c).length);
  return counts.map((n) => (n ? labels.length / (classCount * n) : 0));
}

/**
 * @param options.recomputeFeatures compute every photo's features even when cached: a comparison of
 *   training times (the compare job) counts computing them, as the seed experiment does.
 */
export async function train(params: JobParams<'train'>, env: ProjectJobEnvironment, options: { recomputeFeatures?: boolean } = {}): Promise<TrainResult> {
  // The convex head's products use a second core (a thread of their own). Started first, the
  // thread boots while TensorFlow.js and the features load: a head's fit lasts only a few times
  // that boot, and its products run on this thread alone until the helper is ready.
  const rowProducts = params.model === 'transfer' && params.hidden === 0 ? bundledRowProductThread() : null;
  try {
    return await trainModel(params, env, options, rowProducts);
  } finally {
    await rowProducts?.release();
  }
}

async function trainModel(params: JobParams<'train'>, env: ProjectJobEnvironment, options: { recomputeFeatures?: boolean }, rowProducts: RowProductThread | null): Promise<TrainResult> {
  const backend = await initTensorflow();
  const { stores } = env.project;
  const notes: string[] = backend.warning ? [backend.warning] : [];
  // The checks the Train view and `graft train` show before: a blocked training is refused with its reasons.
  const readiness = trainingReadiness(stores.library.classSplitCounts());
  if (readiness.blocks.length) throw new Error(describeBlocks(readiness));
  const { photos, classes, classIndex } = select(stores);
  const backbone = params.model === 'transfer' ? requireBackbone(params.backbone) : null;
  if (backbone && params.fineTuneEpochs > 0 && !backbone.fineTuneFrom) throw new Error(`${backbone.title} cannot be fine-tuned: Graft fine-tunes the top block of the catalogue's MobileNets.`);
  if (!backbone) registerWasmGradientKernels();

  env.progress(0, photos.length, 'photos', 'Reading photos');
  const input = await inputs(stores, photos, backbone, params, env, options.recomputeFeatures ?? false);
  if (input.unreadable.length) notes.push(`${input.unreadable.length === 1 ? '1 labelled photo could not be read and was' : `${input.unreadable.length} labelled photos could not be read and were`} left out: ${input.unreadable.slice(0, 5).map((u) => `${u.path} (${u.reason})`).join(', ')}${input.unreadable.length > 5 ? ', …' : ''}.`);
  const sets = splitSets(photos.filter((p) => input.rows.has(p.hash)), params.seed);
  notes.push(...sets.notes, ...libraryNotes(stores));

  const shape = backbone ? [backbone.featureSize] : [SCRATCH_INPUT_SIZE, SCRATCH_INPUT_SIZE, 3];
  const trainSet = toTensors(sets.fitting, input.rows, shape, classIndex);
  const stopSet = sets.stopping.length ? toTensors(sets.stopping, input.rows, shape, classIndex) : null;
  const testSet = toTensors(sets.test, input.rows, shape, classIndex);
  const classWeights = classWeightsOf(trainSet.labels, classes.length);

  const trainStarted = Date.now();
  const convex = backbone !== null && params.hidden === 0 && stopSet !== null;
  const fitted = convex ? await convexHead(trainSet, stopSet!, testSet, classes.length, classWeights, env, rowProducts?.multiply) : await minibatch(backbone, trainSet, stopSet, testSet, classes.length, classWeights, params, env);
  // Its copies of the features are not kept through fine-tuning.
  await rowProducts?.release();
  tf.dispose([trainSet.features, testSet.features, ...(stopSet ? [stopSet.features] : [])]);
  const history = { epochs: fitted.history };
  let { testProbabilities, weights } = fitted;
  if (convex) notes.push(`Softmax regression solved exactly (L-BFGS); its regularisation was chosen on ${sets.stopping.length} validation photos among ${fitted.history.length} strengths, then refitted with them.`);

  let fineTuned: LayerWeights | null = null;
  if (backbone && params.fineTuneEpochs > 0) {
    const headEpochs = history.epochs.length;
    const tuned = await fineTuneTopBlock(backbone, weights as HeadWeights, sets, (p) => classIndex.get(p.classId)!, {
      params,
      classCount: classes.length,
      classWeights,
      context: env,
      callbacks: (fineHistory) => [fineHistory, progressCallback(env, headEpochs, params.fineTuneEpochs, 'Fine-tuning the top block: ')],
    });
    history.epochs.push(...tuned.history.map((e) => ({ ...e, epoch: headEpochs + e.epoch })));
    testProbabilities = tuned.testProbabilities;
    weights = tuned.head;
    fineTuned = tuned.layers;
    notes.push(`Fine-tuned the top block of ${backbone.id} for ${count(tuned.history.length, 'pass')} (best: pass ${tuned.bestEpoch}) on augmented photos, in ${tuned.seconds.toFixed(1)} s.`);
  }
  const trainSeconds = (Date.now() - trainStarted) / 1000;

  const evaluation = evaluate(testSet.labels, testProbabilities, classes.length);
  const modelName = backbone?.id ?? `scratch_cnn_${SCRATCH_INPUT_SIZE}`;
  const runId = stores.runs.record({
    jobId: env.jobId,
    kind: params.model,
    backbone: modelName,
    config: params,
    backend: backend.name,
    engine: input.engine,
    classes,
    extractSeconds: input.seconds,
    featuresComputed: input.computed,
    photos: sets.fitting.length + sets.stopping.length + sets.test.length,
    trainSeconds,
    epochs: history.epochs.length,
    history: history.epochs,
    evaluation,
    evaluatedOn: sets.test.some((p) => p.split === 'test') ? 'test' : 'validation',
    weights,
    fineTuned,
    predictions: sets.test.map((photo, i) => {
      const p = testProbabilities[i];
      const predicted = p.indexOf(Math.max(...p));
      const truth = testSet.labels[i];
      return { imageId: photo.id, trueClassId: classes[truth].id, predictedClassId: classes[predicted].id, confidence: p[predicted], loss: -Math.log(Math.max(p[truth], 1e-7)) };
    }),
  });
  return {
    runId,
    backend: backend.name,
    model: params.model,
    backbone: modelName,
    classes: classes.map((c) => c.name),
    photos: { train: sets.fitting.length, earlyStopping: sets.stopping.length, test: sets.test.length },
    featuresComputed: input.computed,
    engine: input.engine,
    extractSeconds: input.seconds,
    trainSeconds,
    epochs: history.epochs.length,
    bestEpoch: fitted.bestEpoch,
    evaluation,
    notes,
  };
}
