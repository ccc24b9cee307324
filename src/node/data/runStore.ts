/** Reading recorded training runs (the side-by-side table). */
import { RunSummary, type RunPrediction } from '../../shared/api/contract';
import type { Sqlite } from './sqlite';

interface RunRow {
  id: number;
  createdAt: string;
  kind: string;
  backbone: string;
  backend: string;
  classes: string;
  extractSeconds: number;
  featuresComputed: number;
  photos: number;
  trainSeconds: number;
  epochs: number;
  config: string;
  evaluation: string;
  history: string;
}

export function listRuns(db: Sqlite): RunSummary[] {
  const rows = db
    .prepare(
      `SELECT id, created_at AS createdAt, kind, backbone, backend, classes, extract_seconds AS extractSeconds,
              features_computed AS featuresComputed, photos,
              train_seconds AS trainSeconds, epochs, config, evaluation, history FROM runs ORDER BY id DESC`,
    )
    .all() as RunRow[];
  return rows.map((r) =>
    RunSummary.parse({
      ...r,
      classes: (JSON.parse(r.classes) as { name: string }[]).map((c) => c.name),
      classIds: (JSON.parse(r.classes) as { id: number }[]).map((c) => c.id),
      config: JSON.parse(r.config),
      evaluation: JSON.parse(r.evaluation),
      history: JSON.parse(r.history),
    }),
  );
}

export function runPredictions(db: Sqlite, query: { runId: number; trueClassId?: number; predictedClassId?: number; limit: number }): RunPrediction[] {
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
  return db
    .prepare(
      `SELECT r.image_id AS imageId, i.hash, i.name, r.true_class AS trueClassId, i.class_id AS currentClassId,
              r.predicted AS predictedClassId, r.confidence, r.loss
       FROM run_predictions r JOIN images i ON i.id = r.image_id
       WHERE ${clauses.join(' AND ')} ORDER BY r.loss DESC LIMIT ?`,
    )
    .all(...params, query.limit) as RunPrediction[];
}
