/** The job applying an action to classified photos (see classify/actions.ts). */
import type { ActionRequest, ActionResult } from '../../../preload/common/classifyContract';
import { applyAction } from '../classify/actions';
import { openProjectDatabase } from '../db/project';
import type { JobContext } from './jobContext';

export function classifyAction(request: ActionRequest, projectPath: string, context: JobContext): ActionResult {
  const db = openProjectDatabase(projectPath);
  try {
    return applyAction(db, request, context);
  } finally {
    db.close();
  }
}
