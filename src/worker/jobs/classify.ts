/**
 * The classify job: a trained model (a run of this project, or a folder exported from any
 * project) classifies the photos under folder trees; results are stored in the project as they
 * come, so a cancelled or crashed job resumes where it stopped.
 */
import type { ClassifyResult } from '../../shared/api/classify';
import type { JobParams } from '../../shared/jobs/registry';
import { classifyFiles } from '../classify/classifyFiles';
import { classifierForFolder, classifierForRun } from '../ml/classifier';
import { findPhotos } from '../pipeline/findPhotos';
import type { ProjectJobEnvironment } from './jobEnvironment';

export async function classify(params: JobParams<'classify'>, env: ProjectJobEnvironment): Promise<ClassifyResult> {
  const { stores } = env.project;
  env.progress(0, null, 'photos', 'Looking for photos');
  const found = await findPhotos(params.folders, env.signal);
  const classifier = 'runId' in params.model ? await classifierForRun(stores.runs, params.model.runId) : await classifierForFolder(params.model.folder);
  try {
    const classifierId = stores.classified.ensureClassifier(classifier);
    const result = await classifyFiles(found.photos.map((p) => p.path), found.problems, classifier, stores.classified.sink(classifierId), { topK: params.topK, context: env });
    return { classifierId, ...result };
  } finally {
    await classifier.model.release();
  }
}
