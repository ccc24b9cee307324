/** Which results an action on them will act on, in words: the photos the grid shows (its class button and "Show only photos at least … sure"). */
import { ERROR_LABEL, UNKNOWN_LABEL } from '../../../shared/api/classify';
import { count, percent } from '../../lib/format';

/** "All 20 photos", "the 10 photos filed as cats", "the 1 unknown photo, at least 50% sure", "the 2 files that could not be read". */
export function actionScope(label: string | null, minConfidence: number, shown: number): string {
  const sure = minConfidence > 0 ? `, at least ${percent(minConfidence, 0)} sure` : '';
  if (label === ERROR_LABEL) return `the ${count(shown, 'file')} that could not be read`;
  if (label === UNKNOWN_LABEL) return `the ${count(shown, 'unknown photo')}${sure}`;
  if (label !== null) return `the ${count(shown, 'photo')} filed as ${label}${sure}`;
  if (sure) return `the ${count(shown, 'photo')}${sure}`;
  return shown === 1 ? 'the 1 photo' : `all ${count(shown, 'photo')}`;
}
