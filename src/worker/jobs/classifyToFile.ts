/**
 * Classifying without a project: an exported model, results appended to a .csv or .jsonl file as
 * they come. The file is the record of what is done: a second run with the same file skips the
 * photos it lists, so a stopped run resumes and no photo appears twice.
 */
import path from 'node:path';
import { ERROR_LABEL, UNKNOWN_LABEL, type ClassifyToFileResult } from '../../shared/api/classify';
import type { JobParams } from '../../shared/jobs/registry';
import { openStreamSink, streamFormat } from '../../node/results/streamSink';
import { classifyFiles } from '../classify/classifyFiles';
import { classifierForFolder } from '../ml/classifier';
import { findPhotos } from '../pipeline/findPhotos';
import type { AppJobEnvironment } from './jobEnvironment';

export async function classifyToFile(params: JobParams<'classifyToFile'>, env: AppJobEnvironment): Promise<ClassifyToFileResult> {
  const out = path.resolve(params.out);
  const format = streamFormat(out);
  if (!format) throw new Error('Without a project, results go to a .csv or .jsonl file (written as they come, and resumed).');
  env.progress(0, null, 'photos', 'Looking for photos');
  const found = await findPhotos(params.folders, env.signal);
  const classifier = await classifierForFolder(params.model);
  const sink = openStreamSink(out, format, classifier.labels, params.threshold);
  try {
    const result = await classifyFiles(found.photos.map((p) => p.path), found.problems, classifier, sink, { topK: params.topK, context: env });
    const counts = [...classifier.labels, UNKNOWN_LABEL, ERROR_LABEL].map((label) => ({ label, count: sink.counts.get(label) ?? 0 }));
    return { classifierId: null, ...result, out, counts, resumed: sink.resumed };
  } finally {
    sink.close();
    await classifier.model.release();
  }
}
