/** The export job: a training run becomes a model folder that runs without Graft, checked against what Graft predicted. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult } from '../../shared/api/classify';
import type { JobParams } from '../../shared/jobs/registry';
import { classifierFromRun } from '../ml/classifierModel';
import { exportClassifier } from '../ml/exportClassifier';
import { initTensorflow } from '../ml/tensorflow';
import { verifyExport } from '../ml/verifyExport';
import type { ProjectJobEnvironment } from './jobEnvironment';

/** How many of the run's test photos the exported files are checked on. */
const VERIFY_PHOTOS = 200;

export async function exportModel(params: JobParams<'exportModel'>, env: ProjectJobEnvironment): Promise<ExportResult> {
  const started = Date.now();
  await initTensorflow();
  const { runs } = env.project.stores;
  env.progress(0, null, 'steps', 'Converting the model');
  const model = classifierFromRun(runs.transferRun(params.runId));
  const evaluation = runs.summary(params.runId).evaluation;
  const folder = path.resolve(params.folder);
  const problems = await exportClassifier(model, { accuracy: evaluation.accuracy, testPhotos: evaluation.count }, folder);
  const files = fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
    .sort();
  const verification = await verifyExport(runs, model, folder, VERIFY_PHOTOS, env.signal, (done, total) => env.progress(done, total, 'photos', 'Checking the exported files against Graft'));
  const notes = [...(problems.onnx ? [`No ONNX file: ${problems.onnx} The TensorFlow.js model is complete.`] : []), ...(problems.tfjs ? [`No TensorFlow.js model: ${problems.tfjs}`] : [])];
  return { folder, verification, notes, labels: model.labels, backbone: model.backbone.id, files, seconds: (Date.now() - started) / 1000 };
}
