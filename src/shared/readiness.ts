/**
 * Whether the labelled photos can train a model worth having, checked before training: the Train
 * view shows it, the train job refuses what is blocked, `graft train` prints the warnings. Pure:
 * from how many photos each class has in each split to what blocks training (with the reason, the
 * classes named) and what the person should know (warnings).
 */
import { count, formatNumber, listNames, noun, percent } from './words';

/** How many labelled photos a class has in each split. */
export interface ClassSplitCount {
  classId: number;
  name: string;
  train: number;
  validation: number;
  test: number;
}

export type IssueKind = 'too_few_classes' | 'no_training_photo' | 'nothing_to_measure' | 'no_measuring_photo' | 'few_photos' | 'unbalanced' | 'validation_as_test';

export interface ReadinessIssue {
  kind: IssueKind;
  /** A sentence for people: what is wrong and what to do. */
  message: string;
  /** The classes concerned, by name. */
  classes: string[];
}

export interface Readiness {
  /** Training cannot start while any of these stands. */
  blocks: ReadinessIssue[];
  warnings: ReadinessIssue[];
  /** The split that will measure the model: test, validation standing in for a missing test split, or none. */
  evaluatedOn: 'test' | 'validation' | null;
  /** The classes with labelled photos: the model's outputs. */
  classes: ClassSplitCount[];
  totals: { train: number; validation: number; test: number };
}

/** Below this many labelled photos a class is learnt poorly. */
export const FEW_PHOTOS = 10;
/** The largest class having this many times the photos of the smallest is "very unbalanced". */
export const UNBALANCED_RATIO = 10;
/** Share of the training photos held out for early stopping when validation photos stand in for the test split (the train job's HOLDOUT). */
export const HOLDOUT_SHARE = 0.15;

const total = (c: ClassSplitCount) => c.train + c.validation + c.test;

export function trainingReadiness(counts: readonly ClassSplitCount[]): Readiness {
  const classes = counts.filter((c) => total(c) > 0);
  const totals = {
    train: classes.reduce((s, c) => s + c.train, 0),
    validation: classes.reduce((s, c) => s + c.validation, 0),
    test: classes.reduce((s, c) => s + c.test, 0),
  };
  const evaluatedOn = totals.test > 0 ? 'test' : totals.validation > 0 ? 'validation' : null;
  const blocks: ReadinessIssue[] = [];
  const warnings: ReadinessIssue[] = [];

  if (classes.length < 2) {
    blocks.push({
      kind: 'too_few_classes',
      message:
        classes.length === 0
          ? 'Label photos of at least two classes to train a model: no photo is labelled yet.'
          : `Label photos of at least two classes to train a model: so far only “${classes[0].name}” has photos.`,
      classes: classes.map((c) => c.name),
    });
  }
  const untrained = classes.filter((c) => c.train === 0);
  if (untrained.length) {
    blocks.push({
      kind: 'no_training_photo',
      message: `${listNames(untrained.map((c) => c.name))} ${noun(untrained.length, 'has')} no photo in the training split, so the model could not learn ${untrained.length === 1 ? 'it' : 'them'}. Pin some of ${untrained.length === 1 ? 'its' : 'their'} photos to train (Label view), or change the split ratios.`,
      classes: untrained.map((c) => c.name),
    });
  }
  if (classes.length && evaluatedOn === null) {
    blocks.push({
      kind: 'nothing_to_measure',
      message: 'No labelled photo is in the test or validation split, so the model could not be measured. Change the split ratios, or pin some photos to test.',
      classes: [],
    });
  }

  if (evaluatedOn) {
    const unmeasured = classes.filter((c) => c[evaluatedOn] === 0 && c.train > 0);
    if (unmeasured.length) {
      const word = evaluatedOn === 'test' ? 'test' : 'validation';
      warnings.push({
        kind: 'no_measuring_photo',
        message: `${listNames(unmeasured.map((c) => c.name))} ${noun(unmeasured.length, 'has')} no ${word} photo: the score will not say how well the model knows ${unmeasured.length === 1 ? 'it' : 'them'}.`,
        classes: unmeasured.map((c) => c.name),
      });
    }
  }
  const few = classes.filter((c) => total(c) < FEW_PHOTOS);
  if (few.length) {
    warnings.push({
      kind: 'few_photos',
      message: `${listNames(few.map((c) => `${c.name}`))} ${noun(few.length, 'has')} fewer than ${formatNumber(FEW_PHOTOS)} photos: the model will recognise ${few.length === 1 ? 'it' : 'them'} poorly. Label more if you can.`,
      classes: few.map((c) => c.name),
    });
  }
  if (classes.length >= 2) {
    const sorted = [...classes].sort((a, b) => total(b) - total(a));
    const largest = sorted[0];
    const smallest = sorted.at(-1)!;
    if (total(smallest) > 0 && total(largest) >= UNBALANCED_RATIO * total(smallest)) {
      warnings.push({
        kind: 'unbalanced',
        message: `The classes are very unbalanced: “${largest.name}” has ${count(total(largest), 'photo')}, “${smallest.name}” ${count(total(smallest), 'photo')}. Graft weighs every class equally, but the small ones will be recognised less reliably.`,
        classes: [largest.name, smallest.name],
      });
    }
  }
  if (evaluatedOn === 'validation' && blocks.length === 0) {
    warnings.push({
      kind: 'validation_as_test',
      message: `This project has no test photos, so the ${count(totals.validation, 'validation photo')} will measure the model instead, and ${percent(HOLDOUT_SHARE, 0)} of the training photos will decide when to stop.`,
      classes: [],
    });
  }
  return { blocks, warnings, evaluatedOn, classes, totals };
}

/** The refusal of a blocked training, as one sentence per reason. */
export function describeBlocks(readiness: Readiness): string {
  return readiness.blocks.map((b) => b.message).join(' ');
}
