/** The export job: a training run becomes a model folder that runs without Graft. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult } from '../../shared/api/classify';
import { Evaluation } from '../../shared/api/contract';
import { openProjectDatabase } from '../../node/data/project';
import { classifierFromRun } from '../ml/classifierModel';
import { exportClassifier } from '../ml/exportClassifier';
import { initTensorflow } from '../ml/tensorflow';
import { verifyExport } from '../ml/verifyExport';
import type { JobContext } from '../../shared/jobs/jobContext';

/** How many of the run's test photos the exported files are checked on. */
const VERIFY_PHOTOS = 200;

export async function exportModel(params: { runId: number; folder: string }, projectPath: string, context: JobContext): Promise<ExportResult> {
  const started = Date.now();
  await initTensorflow();
  const db = openProjectDatabase(projectPath);
  try {
    context.progress(0, null, 'steps', 'Converting the model');
    const model = classifierFromRun(db, params.runId);
    const evaluation = Evaluation.parse(JSON.parse(db.prepare('SELECT evaluation FROM runs WHERE id = ?').pluck().get(params.runId) as string));
    const folder = path.resolve(params.folder);
    const { onnxProblem } = await exportClassifier(model, { accuracy: evaluation.accuracy, testPhotos: evaluation.count }, folder);
    const files = fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath, e.name))).sort();
    const verification = await verifyExport(db, model, folder, VERIFY_PHOTOS, (done, total) => context.progress(done, total, 'photos', 'Checking the exported files against Graft'));
    const notes = onnxProblem ? [`No ONNX file: ${onnxProblem} The TensorFlow.js model is complete.`] : [];
    return { folder, verification, notes, labels: model.labels, backbone: model.backbone.id, files, seconds: (Date.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
