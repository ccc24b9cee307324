/** The job applying an action to classified photos (see classify/actions.ts). */
import type { ActionRequest, ActionResult } from '../../shared/api/classify';
import { applyAction } from '../../node/results/actions';
import { openProjectDatabase } from '../../node/data/project';
import type { JobContext } from '../../shared/jobs/jobContext';

export function classifyAction(request: ActionRequest, projectPath: string, context: JobContext): ActionResult {
  const db = openProjectDatabase(projectPath);
  try {
    return applyAction(db, request, context);
  } finally {
    db.close();
  }
}
