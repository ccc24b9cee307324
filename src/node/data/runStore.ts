/**
 * Training runs: recorded once by the training job with what each predicted for its test photos,
 * read by the runs table, the evaluation, suggestions, classification and export. Each row is
 * decoded here, once, into typed values.
 */
import { GraftError } from '../../shared/api/errors';
import { LEARNED_FROM_SCRATCH, RunSummary, TrainParams, type EpochPoint, type Evaluation, type RunPrediction } from '../../shared/api/training';
import type { HeadWeights, LayerWeights } from '../../shared/modelWeights';
import { bestRun } from '../../shared/bestRun';
import { networkTitles } from '../models/backboneList';
import { PRESENT_PATH } from './libraryStore';
import type { Sqlite } from './sqlite';

/** What a finished training run records. */
export interface NewRun {
  jobId: number | null;
  kind: 'transfer' | 'scratch';
  /** The backbone id, or the from-scratch model's name. */
  backbone: string;
  config: TrainParams;
  backend: string;
  /** What computed the features (onnxruntime and its device); null when they all came from the cache. */
  engine: string | null;
  /** The classes in the model's output order. */
  classes: { id: number; name: string }[];
  extractSeconds: number;
  featuresComputed: number;
  photos: number;
  trainSeconds: number;
  epochs: number;
  history: EpochPoint[];
  evaluation: Evaluation;
  /** The split that measured it: test, or validation standing in for a missing test split. */
  evaluatedOn: 'test' | 'validation';
  /** The head's (or the from-scratch CNN's) weights. */
  weights: unknown;
  fineTuned: LayerWeights | null;
  /** What the model predicted for each test photo (class ids). */
  predictions: { imageId: number; trueClassId: number; predictedClassId: number; confidence: number; loss: number }[];
}

/** A transfer-learning run as a model: what classifying, suggesting and exporting need. */
export interface TransferRun {
  id: number;
  backbone: string;
  config: TrainParams;
  classes: { id: number; name: string }[];
  head: HeadWeights;
  fineTuned: LayerWeights | null;
}

interface SummaryRow {
  id: number;
  createdAt: string;
  kind: string;
  backbone: string;
  backend: string;
  engine: string | null;
  classes: string;
  extractSeconds: number;
  featuresComputed: number;
  photos: number;
  trainSeconds: number;
  epochs: number;
  config: string;
  evaluation: string;
  history: string;
  evaluatedOn: string | null;
}

const SUMMARY_COLUMNS = `id, created_at AS createdAt, kind, backbone, backend, engine, classes, extract_seconds AS extractSeconds,
  features_computed AS featuresComputed, photos, train_seconds AS trainSeconds, epochs, config, evaluation, history, evaluated_on AS evaluatedOn`;

function decodeSummary(r: SummaryRow, title: (backboneId: string) => string): RunSummary {
  const classes = JSON.parse(r.classes) as { id: number; name: string }[];
  return RunSummary.parse({
    ...r,
    network: r.kind === 'scratch' ? LEARNED_FROM_SCRATCH : title(r.backbone),
    classes: classes.map((c) => c.name),
    classIds: classes.map((c) => c.id),
    config: JSON.parse(r.config),
    evaluation: JSON.parse(r.evaluation),
    history: JSON.parse(r.history),
  });
}

export class RunStore {
  constructor(private readonly db: Sqlite) {}

  /** Records a run and its test predictions in one transaction; returns its id. */
  record(run: NewRun): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO runs (job_id, created_at, kind, backbone, config, backend, classes, extract_seconds, features_computed, photos, train_seconds, epochs, history, evaluation, head, fine_tuned, engine, evaluated_on)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            run.jobId,
            new Date().toISOString(),
            run.kind,
            run.backbone,
            JSON.stringify(run.config),
            run.backend,
            JSON.stringify(run.classes),
            run.extractSeconds,
            run.featuresComputed,
            run.photos,
            run.trainSeconds,
            run.epochs,
            JSON.stringify(run.history),
            JSON.stringify(run.evaluation),
            Buffer.from(JSON.stringify(run.weights)),
            run.fineTuned ? Buffer.from(JSON.stringify(run.fineTuned)) : null,
            run.engine,
            run.evaluatedOn,
          ).lastInsertRowid,
      );
      const prediction = this.db.prepare('INSERT INTO run_predictions (run_id, image_id, true_class, predicted, confidence, loss) VALUES (?, ?, ?, ?, ?, ?)');
      for (const p of run.predictions) prediction.run(id, p.imageId, p.trueClassId, p.predictedClassId, p.confidence, p.loss);
      return id;
    })();
  }

  /** Every run, newest first. */
  list(): RunSummary[] {
    const titles = networkTitles();
    return (this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs ORDER BY id DESC`).all() as SummaryRow[]).map((row) => decodeSummary(row, titles));
  }

  summary(id: number): RunSummary {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id = ?`).get(id) as SummaryRow | undefined;
    if (!row) throw new GraftError('not_found', `This project has no run ${id}. See the runs with “graft runs”.`);
    return decodeSummary(row, networkTitles());
  }

  /** The best transfer-learning run's id (src/shared/bestRun.ts: the highest share right, of equal ones the latest), or null. */
  bestTransferId(): number | null {
    const runs = this.db.prepare(`SELECT id, classes, evaluation FROM runs WHERE kind = 'transfer'`).all() as { id: number; classes: string; evaluation: string }[];
    return bestRun(runs.map((r) => ({ id: r.id, classes: JSON.parse(r.classes) as string[], evaluation: JSON.parse(r.evaluation) as Evaluation })))?.id ?? null;
  }

  /** A run's kind, or null when there is no such run: one column, read for every photo "Try it" is given. */
  kind(id: number): 'transfer' | 'scratch' | null {
    return (this.db.prepare('SELECT kind FROM runs WHERE id = ?').pluck().get(id) as 'transfer' | 'scratch' | undefined) ?? null;
  }

  /** A transfer-learning run as a model; says why when the run is missing or learned from scratch. */
  transferRun(id: number): TransferRun {
    const row = this.db.prepare('SELECT id, kind, backbone, config, classes, head, fine_tuned AS fineTuned FROM runs WHERE id = ?').get(id) as
      | { id: number; kind: string; backbone: string; config: string; classes: string; head: Buffer; fineTuned: Buffer | null }
      | undefined;
    if (!row) throw new GraftError('not_found', `This project has no run ${id}. See the runs with “graft runs”.`);
    if (row.kind !== 'transfer') throw new GraftError('invalid_request', `Run ${id} was learned from scratch, for comparison; use a run built on a network, which is far more accurate.`);
    return {
      id: row.id,
      backbone: row.backbone,
      config: TrainParams.parse(JSON.parse(row.config)),
      classes: JSON.parse(row.classes) as { id: number; name: string }[],
      head: JSON.parse(row.head.toString('utf8')) as HeadWeights,
      fineTuned: row.fineTuned ? (JSON.parse(row.fineTuned.toString('utf8')) as LayerWeights) : null,
    };
  }

  /** A run's test photos: one confusion-matrix cell when both classes are given; the wrong ones first, each part highest loss first. */
  predictions(query: { runId: number; trueClassId?: number; predictedClassId?: number; limit: number }): RunPrediction[] {
    const clauses = ['r.run_id = ?'];
    const params: unknown[] = [query.runId];
    if (query.trueClassId !== undefined) {
      clauses.push('r.true_class = ?');
      params.push(query.trueClassId);
    }
    if (query.predictedClassId !== undefined) {
      clauses.push('r.predicted = ?');
      params.push(query.predictedClassId);
    }
    return this.db
      .prepare(
        `SELECT r.image_id AS imageId, i.hash, i.name, r.true_class AS trueClassId, i.class_id AS currentClassId,
                r.predicted AS predictedClassId, r.confidence, r.loss
         FROM run_predictions r JOIN images i ON i.id = r.image_id
         WHERE ${clauses.join(' AND ')} ORDER BY r.predicted <> r.true_class DESC, r.loss DESC LIMIT ?`,
      )
      .all(...params, query.limit) as RunPrediction[];
  }

  /** The run's test photos that still have a file, with the class id Graft predicted and its probability. */
  recordedPredictions(runId: number): { path: string; predictedClassId: number; confidence: number }[] {
    return this.db
      .prepare(`SELECT ${PRESENT_PATH('r.image_id')} AS path, r.predicted AS predictedClassId, r.confidence FROM run_predictions r WHERE r.run_id = ? AND path IS NOT NULL ORDER BY r.image_id`)
      .all(runId) as { path: string; predictedClassId: number; confidence: number }[];
  }
}

