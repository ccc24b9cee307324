/** Which photos measured a run, in words: test photos, or validation photos standing in for a missing test split. */
import type { RunSummary } from '../../../shared/api/training';
import { count } from '../../lib/format';

export function measuredOn(run: Pick<RunSummary, 'evaluatedOn' | 'evaluation'>): string {
  const n = run.evaluation.count;
  return run.evaluatedOn === 'validation' ? `${count(n, 'validation photo')} (no test photos)` : count(n, 'test photo');
}
