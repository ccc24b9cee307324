/** What the Train button will do, as settings and as one sentence. */
import type { TrainChoices } from '../../../shared/api/training';
import { HOLDOUT_SHARE, type Readiness } from '../../../shared/readiness';
import { count, listNames, percent } from '../../lib/format';

/** "Teaches MobileNetV2 0.35's view of your photos to tell cats and dogs apart: …" */
export function trainSummary(readiness: Readiness, backboneTitle: string, settings: TrainChoices, fineTunable: boolean): string {
  const names = readiness.classes.map((c) => c.name);
  const measured =
    readiness.evaluatedOn === 'validation' ? `${count(readiness.totals.validation, 'validation photo')} it has never seen (there are no test photos)` : `${count(readiness.totals.test, 'test photo')} it has never seen`;
  const learn =
    readiness.evaluatedOn === 'validation'
      ? `${count(readiness.totals.train, 'photo')} (holding ${percent(HOLDOUT_SHARE, 0)} of them back to decide when to stop)`
      : `${count(readiness.totals.train, 'photo')}, checking itself on ${count(readiness.totals.validation, 'other')} to know when to stop`;
  const head = settings.hidden > 0 ? `a classifier with a hidden layer of ${settings.hidden} units` : 'a classifier';
  const fineTune = settings.fineTune && fineTunable ? `, then fine-tunes the network's last block for up to ${count(settings.fineTuneEpochs, 'pass')}` : '';
  return (
    `Trains ${head} on what ${backboneTitle} sees in your photos, to tell ${listNames(names, 4)} apart. ` +
    `It learns from ${learn}, for up to ${count(settings.epochs, 'pass')}${fineTune}; ` +
    `then it is measured on ${measured}${settings.crop === 'squash' ? '; photos are squashed square, not cropped' : ''}.`
  );
}

/**
 * What the runs list says before the first run, by the same checks that enable Train: what to do
 * while training is blocked (the reasons are in the panel above), and that Train will make the
 * first run once it is not.
 */
export function noRunsWords(readiness: Readiness | null): string {
  if (!readiness) return 'No runs yet.';
  if (readiness.blocks.length) return 'No runs yet: training can start once the problems under “Training cannot start yet” above are solved.';
  return 'No runs yet. Your photos are ready: click Train to make the first one. Each run is listed here with how many photos it got right.';
}
