/**
 * The classify job: a trained model (a run of this project, or a folder exported from any
 * project) classifies the photos under folder trees; results are stored in the project as they
 * come, so a cancelled or crashed job resumes where it stopped.
 */
import type { z } from 'zod';
import type { ClassifyParams, ClassifyResult } from '../../shared/api/classify';
import { ClassifiedStore } from '../../node/data/classifiedStore';
import { classifyFiles } from '../classify/classifyFiles';
import { engineForFolder, engineForRun } from '../ml/classifierEngine';
import { openProjectDatabase } from '../../node/data/project';
import type { JobContext } from '../../shared/jobs/jobContext';

export async function classify(params: z.output<typeof ClassifyParams>, projectPath: string, context: JobContext): Promise<ClassifyResult> {
  const db = openProjectDatabase(projectPath);
  try {
    const engine = 'runId' in params.model ? await engineForRun(db, params.model.runId) : await engineForFolder(params.model.folder);
    try {
      const store = new ClassifiedStore(db);
      const classifierId = store.ensureClassifier(engine);
      const result = await classifyFiles(params.folders, engine, store.sink(classifierId), { topK: params.topK, context });
      return { classifierId, ...result };
    } finally {
      await engine.release();
    }
  } finally {
    db.close();
  }
}
