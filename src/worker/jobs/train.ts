/**
 * The training job: backbone features for every labelled photo (from the cache when it has them)
 * and a head trained on them — or, as the baseline, a small CNN trained from scratch on the same
 * photos — with early stopping on the validation split, and an honest evaluation on the test
 * split, which training never sees. Everything is recorded as a run.
 */
import type { TrainParams, TrainResult } from '../../shared/api/contract';
import { evaluate } from '../../shared/metrics';
import { splitPosition } from '../../shared/splits';
import { openProjectDatabase } from '../../node/data/project';
import type { Sqlite } from '../../node/data/sqlite';
import { EarlyStopping, fit, History, predictDataset, seededRandom, tensorDataset, type Callback } from '../ml/fit';
import { loadBackboneModel, type LayerWeights } from '../ml/featureExtractor';
import { FineTuneModel, frozenTrunk } from '../ml/fineTune';
import type { HeadConfig } from '../ml/head';
import type { SavedWeights } from '../ml/parameterModel';
import type { Backbone } from '../../shared/catalogue';
import { Head } from '../ml/head';
import { augmentImages, SCRATCH_FILTERS, SCRATCH_INPUT_SIZE, ScratchCnn } from '../ml/scratchCnn';
import { registerWasmGradientKernels } from '../ml/wasmGradients';
import { cachedFeatures } from '../ml/featureCache';
import { requireBackbone } from '../../node/models/modelStore';
import { photoPixels } from '../ml/photoPixels';
import { initTensorflow, tf } from '../ml/tensorflow';
import { throwIfCancelled, type JobContext } from '../../shared/jobs/jobContext';

const EXTRACT_BATCH = 16;
/** Share of the train split held out for early stopping when the project has no separate validation photos. */
const HOLDOUT = 0.15;

interface LabelledPhoto {
  id: number;
  hash: string;
  classId: number;
  split: 'train' | 'validation' | 'test';
  path: string | null;
}

function labelledPhotos(db: Sqlite): LabelledPhoto[] {
  return db
    .prepare(
      `SELECT i.id, i.hash, i.class_id AS classId, i.split,
              (SELECT path FROM image_paths p WHERE p.image_id = i.id AND p.missing = 0 ORDER BY p.path LIMIT 1) AS path
       FROM images i WHERE i.class_id IS NOT NULL ORDER BY i.id`,
    )
    .all() as LabelledPhoto[];
}

/** Decoded photos for the from-scratch CNN, kept in memory (64x64: 12 KB a photo). */
async function pixels(photos: LabelledPhoto[], params: TrainParams, context: JobContext): Promise<{ vectors: Map<string, Uint8Array>; unreadable: string[]; computed: number }> {
  const vectors = new Map<string, Uint8Array>();
  const unreadable: string[] = [];
  let done = 0;
  for (let start = 0; start < photos.length; start += EXTRACT_BATCH) {
    throwIfCancelled(context.signal);
    await Promise.all(
      photos.slice(start, start + EXTRACT_BATCH).map(async (photo) => {
        try {
          if (!photo.path) throw new Error('missing');
          vectors.set(photo.hash, await photoPixels(photo.path, SCRATCH_INPUT_SIZE, params.crop));
        } catch {
          unreadable.push(photo.path ?? photo.hash);
        }
      }),
    );
    done += Math.min(EXTRACT_BATCH, photos.length - start);
    context.progress(done, photos.length, 'photos', 'Reading photos');
  }
  return { vectors, unreadable, computed: vectors.size };
}

export async function train(params: TrainParams, projectPath: string, jobId: number | null, context: JobContext): Promise<TrainResult> {
  const backend = await initTensorflow();
  const db = openProjectDatabase(projectPath);
  try {
    const notes: string[] = [];
    if (backend.warning) notes.push(backend.warning);
    const photos = labelledPhotos(db);
    const classRows = db.prepare('SELECT id, name FROM classes ORDER BY position').all() as { id: number; name: string }[];
    const used = new Set(photos.map((p) => p.classId));
    const classes = classRows.filter((c) => used.has(c.id));
    if (classes.length < 2) throw new Error('Label photos of at least two classes before training.');
    const classIndex = new Map(classes.map((c, i) => [c.id, i]));
    const transfer = params.model === 'transfer';
    const backbone = transfer ? requireBackbone(params.backbone) : null;
    if (backbone && params.fineTuneEpochs > 0 && !backbone.fineTuneFrom) throw new Error(`${backbone.title} cannot be fine-tuned: Graft fine-tunes the top block of the catalogue's MobileNets.`);
    if (!transfer) registerWasmGradientKernels();
    const modelName = backbone?.id ?? `scratch_cnn_${SCRATCH_INPUT_SIZE}`;
    // One row of model input per photo: backbone features, or pixels for the CNN.
    const rowShape = backbone ? [backbone.featureSize] : [SCRATCH_INPUT_SIZE, SCRATCH_INPUT_SIZE, 3];

    context.progress(0, photos.length, 'photos', 'Reading photos');
    const extractStarted = Date.now();
    const extracted = backbone ? await cachedFeatures(db, photos, backbone.id, params.crop, context) : await pixels(photos, params, context);
    const extractSeconds = (Date.now() - extractStarted) / 1000;
    if (extracted.unreadable.length) notes.push(`${extracted.unreadable.length} labelled photos could not be read and were left out.`);

    // Honest evaluation: the test split is never trained on nor used to stop training. A project
    // without test photos is evaluated on its validation photos, and early stopping then uses a
    // held-out part of the train split instead.
    const usable = photos.filter((p) => extracted.vectors.has(p.hash));
    const hasTest = usable.some((p) => p.split === 'test');
    const testSplit = hasTest ? 'test' : 'validation';
    const test = usable.filter((p) => p.split === testSplit);
    let fitting = usable.filter((p) => p.split === 'train');
    let stopping = hasTest ? usable.filter((p) => p.split === 'validation') : [];
    if (!stopping.length) {
      stopping = fitting.filter((p) => splitPosition(p.hash, params.seed + 7) < HOLDOUT);
      const held = new Set(stopping);
      fitting = fitting.filter((p) => !held.has(p));
      notes.push(`Early stopping used ${stopping.length} photos held out of the train split.`);
    }
    if (!hasTest) notes.push('The project has no test photos: the validation photos are the test set.');
    if (!test.length) throw new Error('There are no labelled photos in the test or validation split to evaluate on. Change the split ratios (graft splits) or label more photos.');
    if (!fitting.length) throw new Error('There are no labelled photos in the train split.');

    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    const toDataset = (set: LabelledPhoto[]) => {
      const values = new Float32Array(set.length * rowSize);
      set.forEach((p, i) => {
        const row = extracted.vectors.get(p.hash)!;
        if (transfer) values.set(row, i * rowSize);
        else for (let j = 0; j < rowSize; j++) values[i * rowSize + j] = row[j] / 127.5 - 1;
      });
      return { features: tf.tensor(values, [set.length, ...rowShape]), labels: set.map((p) => classIndex.get(p.classId)!) };
    };
    const trainSet = toDataset(fitting);
    const stopSet = stopping.length ? toDataset(stopping) : null;
    const testSet = toDataset(test);
    const counts = classes.map((_, c) => trainSet.labels.filter((l) => l === c).length);
    const classWeights = counts.map((n) => (n ? trainSet.labels.length / (classes.length * n) : 0));

    const model = backbone
      ? new Head({ inputSize: backbone.featureSize, classCount: classes.length, hidden: params.hidden, dropout: params.dropout, seed: params.seed })
      : new ScratchCnn({ inputSize: SCRATCH_INPUT_SIZE, classCount: classes.length, filters: SCRATCH_FILTERS, dropout: params.dropout, seed: params.seed });
    const history = new History();
    const earlyStopping = new EarlyStopping(params.patience);
    /**
     * Live progress per epoch. Fine-tuning counts its own epochs (for an honest rate and time
     * left) and continues the head's numbering on the curves (`epoch` in the metrics).
     */
    const progressFrom = (first: number, total: number, stage: string): Callback => ({
      onEpochEnd: (logs) =>
        context.progress(
          logs.epoch,
          total,
          'epochs',
          `${stage}loss ${logs.loss.toFixed(3)}${logs.valLoss !== null ? ` · validation loss ${logs.valLoss.toFixed(3)} · validation accuracy ${(100 * (logs.valAccuracy ?? 0)).toFixed(1)}%` : ''}`,
          {
            epoch: first + logs.epoch,
            loss: logs.loss,
            accuracy: logs.accuracy,
            ...(logs.valLoss !== null ? { valLoss: logs.valLoss } : {}),
            ...(logs.valAccuracy !== null ? { valAccuracy: logs.valAccuracy } : {}),
          },
        ),
    });
    const trainStarted = Date.now();
    await fit(
      model,
      {
        train: tensorDataset(trainSet.features, trainSet.labels, transfer ? undefined : augmentImages),
        validation: stopSet ? tensorDataset(stopSet.features, stopSet.labels) : null,
        classCount: classes.length,
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate,
        classWeights,
        seed: params.seed,
        signal: context.signal,
      },
      [history, earlyStopping, progressFrom(0, params.epochs, '')],
    );
    throwIfCancelled(context.signal);

    let testProbabilities = await model.predict(testSet.features);
    let weights = await model.toJSON();
    tf.dispose([trainSet.features, testSet.features, ...(stopSet ? [stopSet.features] : [])]);
    model.dispose();

    let fineTuned: LayerWeights | null = null;
    if (backbone && params.fineTuneEpochs > 0) {
      const headEpochs = history.epochs.length;
      const tuned = await fineTune(backbone, weights as SavedWeights<HeadConfig>, { fitting, stopping, test }, (p) => classIndex.get(p.classId)!, {
        params,
        classCount: classes.length,
        classWeights,
        context,
        callbacks: (fineHistory) => [fineHistory, progressFrom(headEpochs, params.fineTuneEpochs, 'Fine-tuning the top block: ')],
      });
      history.epochs.push(...tuned.history.map((e) => ({ ...e, epoch: headEpochs + e.epoch })));
      testProbabilities = tuned.testProbabilities;
      weights = tuned.head;
      fineTuned = tuned.layers;
      notes.push(`Fine-tuned the top block of ${backbone.id} for ${tuned.history.length} epochs (best ${tuned.bestEpoch}) on augmented photos, in ${tuned.seconds.toFixed(1)} s.`);
    }
    const trainSeconds = (Date.now() - trainStarted) / 1000;
    const evaluation = evaluate(testSet.labels, testProbabilities, classes.length);

    const runId = Number(
      db
        .prepare(
          `INSERT INTO runs (job_id, created_at, kind, backbone, config, backend, classes, extract_seconds, features_computed, photos, train_seconds, epochs, history, evaluation, head, fine_tuned)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          jobId,
          new Date().toISOString(),
          params.model,
          modelName,
          JSON.stringify(params),
          backend.name,
          JSON.stringify(classes),
          extractSeconds,
          extracted.computed,
          usable.length,
          trainSeconds,
          history.epochs.length,
          JSON.stringify(history.epochs),
          JSON.stringify(evaluation),
          Buffer.from(JSON.stringify(weights)),
          fineTuned ? Buffer.from(JSON.stringify(fineTuned)) : null,
        ).lastInsertRowid,
    );
    const storePrediction = db.prepare('INSERT INTO run_predictions (run_id, image_id, true_class, predicted, confidence, loss) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      test.forEach((photo, i) => {
        const p = testProbabilities[i];
        const predicted = p.indexOf(Math.max(...p));
        const truth = testSet.labels[i];
        storePrediction.run(runId, photo.id, classes[truth].id, classes[predicted].id, p[predicted], -Math.log(Math.max(p[truth], 1e-7)));
      });
    })();
    return {
      runId,
      backend: backend.name,
      model: params.model,
      backbone: modelName,
      classes: classes.map((c) => c.name),
      photos: { train: fitting.length, earlyStopping: stopping.length, test: test.length },
      featuresComputed: extracted.computed,
      extractSeconds,
      trainSeconds,
      epochs: history.epochs.length,
      bestEpoch: earlyStopping.bestEpoch || history.epochs.length,
      evaluation,
      notes,
    };
  } finally {
    db.close();
  }
}

/**
 * The second stage of a fine-tuned run: the head trained on cached features goes on training
 * together with the backbone's top block, at a tenth of the learning rate, on photos augmented
 * afresh each epoch; early stopping on the same photos as the head's.
 */
async function fineTune(
  backbone: Backbone,
  head: SavedWeights<HeadConfig>,
  sets: { fitting: LabelledPhoto[]; stopping: LabelledPhoto[]; test: LabelledPhoto[] },
  label: (p: LabelledPhoto) => number,
  options: { params: TrainParams; classCount: number; classWeights: number[]; context: JobContext; callbacks: (history: History) => Callback[] },
): Promise<{ history: History['epochs']; bestEpoch: number; testProbabilities: number[][]; head: SavedWeights<HeadConfig>; layers: LayerWeights; seconds: number }> {
  const started = Date.now();
  const { params, context } = options;
  registerWasmGradientKernels();
  const full = await loadBackboneModel(backbone);
  const trunk = await frozenTrunk(full, backbone);
  const model = new FineTuneModel(full, backbone, head);
  // Photos whose file is gone (their features came from the cache) cannot be decoded again.
  const missing = [...sets.fitting, ...sets.stopping, ...sets.test].filter((p) => !p.path);
  if (missing.length) throw new Error(`${missing.length} labelled photos are missing from disk; fine-tuning needs every photo's file. Train without fine-tuning, or find the files again (import their folder).`);
  const data = (set: LabelledPhoto[]) => trunk.dataset(set.map((p) => p.path!), set.map(label), params.crop, seededRandom);
  const history = new History();
  const stopping = new EarlyStopping(params.patience);
  try {
    context.progress(0, null, 'epochs', 'Fine-tuning the top block');
    await fit(
      model,
      {
        train: data(sets.fitting),
        validation: sets.stopping.length ? data(sets.stopping) : null,
        classCount: options.classCount,
        epochs: params.fineTuneEpochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate / 10,
        classWeights: options.classWeights,
        seed: params.seed + 1,
        signal: context.signal,
      },
      [...options.callbacks(history), stopping],
    );
    throwIfCancelled(context.signal);
    return {
      history: history.epochs,
      bestEpoch: stopping.bestEpoch || history.epochs.length,
      testProbabilities: await predictDataset(model, data(sets.test)),
      head: await model.headWeights(),
      layers: await model.layerWeights(full),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    model.dispose();
    full.dispose();
    await trunk.session.release();
  }
}
