/** Reading recorded training runs (the side-by-side table). */
import { RunSummary } from '../../../preload/common/contract';
import type { Sqlite } from '../db/sqlite';

interface RunRow {
  id: number;
  createdAt: string;
  kind: string;
  backbone: string;
  backend: string;
  classes: string;
  extractSeconds: number;
  trainSeconds: number;
  epochs: number;
  config: string;
  evaluation: string;
}

export function listRuns(db: Sqlite): RunSummary[] {
  const rows = db
    .prepare(
      `SELECT id, created_at AS createdAt, kind, backbone, backend, classes, extract_seconds AS extractSeconds,
              train_seconds AS trainSeconds, epochs, config, evaluation FROM runs ORDER BY id DESC`,
    )
    .all() as RunRow[];
  return rows.map((r) =>
    RunSummary.parse({
      ...r,
      classes: (JSON.parse(r.classes) as { name: string }[]).map((c) => c.name),
      config: JSON.parse(r.config),
      evaluation: JSON.parse(r.evaluation),
    }),
  );
}
