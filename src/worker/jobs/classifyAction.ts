/** The job applying an action to classified photos (previewed first: see node/results/actions.ts). */
import type { ActionResult } from '../../shared/api/classify';
import type { JobParams } from '../../shared/jobs/registry';
import { applyAction } from '../../node/results/actions';
import type { ProjectJobEnvironment } from './jobEnvironment';

export async function classifyAction(params: JobParams<'classifyAction'>, env: ProjectJobEnvironment): Promise<ActionResult> {
  return applyAction(env.project.stores, params, env);
}
