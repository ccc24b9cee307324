/**
 * What a finished job did, in words, with a link to what it made: each kind's result is typed by
 * the registry (JobResult<K>), and every kind must have its wording here (the compiler checks).
 */
import type { Job } from '../../shared/api/jobs';
import { JOBS, isJobKind, type JobKind, type JobParams, type JobResult } from '../../shared/jobs/registry';
import { catalogueTitle, checkWords, downloadFailureWords } from '../../shared/backboneDownloads';
import type { ViewId, ViewTarget } from './appState.svelte';
import { deviceWords } from './engineWords';
import { amount, count, formatBytes, formatNumber, formatRate, listNames, percent, ratio } from './format';

/** Where a notification leads: a view of the app, or a file or folder on disk (shown, or its path copied). */
export type OutcomeLink = { label: string; view: ViewId; target?: ViewTarget } | { label: string; reveal: string };

export interface Outcome {
  tone: 'success' | 'warning' | 'error' | 'info';
  title: string;
  text: string;
  link?: OutcomeLink;
  /** A failed, interrupted or cancelled job can be run again. */
  retry?: boolean;
  /** More for those who want it (the jobs drawer's Details). */
  details?: string;
}

type Wording<K extends JobKind> = (result: JobResult<K>, params: JobParams<K>) => { text: string; link?: OutcomeLink; warning?: boolean; details?: string };

const DONE: { [K in JobKind]: Wording<K> } = {
  hashFolder: (r) => ({
    text: `${amount(r.files, 'files')} (${formatBytes(r.bytes)}): ${r.duplicateGroups.length ? `${count(r.duplicateGroups.length, 'set')} of identical files` : 'no identical files'}${r.unreadable.length ? `, ${amount(r.unreadable.length, 'files')} could not be read` : ''}.`,
    link: { label: 'See the list', view: 'library' },
  }),
  import: (r, p) => {
    if (r.found === 0) return { text: `No photos were found in ${listNames(p.folders, 2)}.`, warning: true };
    const parts = [`${count(r.added, 'new photo')} added`];
    if (r.newPaths) parts.push(`${count(r.newPaths, 'photo')} already in the project found at a new place`);
    if (r.unchanged) parts.push(`${formatNumber(r.unchanged)} unchanged`);
    if (r.labelled) parts.push(`${formatNumber(r.labelled)} labelled from their folder names`);
    const problems = r.problems.length ? ` ${amount(r.problems.length, 'files')} could not be imported: the Library lists ${r.problems.length === 1 ? 'it' : 'them'} with the reason.` : '';
    const copies = r.splitRepairs.joinedGroup ? ` ${count(r.splitRepairs.joinedGroup, 'copy')} of other photos (near-identical) moved to their split, so that the score stays honest.` : '';
    const conflicts = r.conflicts.length ? ` ${count(r.conflicts.length, 'photo')} found in folders that disagree: the Library lists them.` : '';
    return {
      text: `${parts.join(', ')}.${problems}${copies}${conflicts}`,
      // "Label them" only when some of the new photos have no label: all labelled, training is next.
      link: r.added > r.labelled ? { label: 'Label them', view: 'label' } : r.added ? { label: 'Train a model', view: 'train' } : { label: 'See the library', view: 'library' },
      warning: r.problems.length > 0 || r.conflicts.length > 0,
    };
  },
  train: (r) => ({
    text: `Run ${r.runId} got ${percent(r.evaluation.accuracy)} of ${count(r.evaluation.count, 'photo')} it never trained on right.`,
    details: [`${count(r.epochs, 'pass')} over the photos (epochs; the best was pass ${formatNumber(r.bestEpoch)}), TensorFlow.js ${r.backend}; ${formatNumber(r.featuresComputed)} photos' features computed${r.engine ? ` by ${r.engine}` : ''}.`, ...r.notes].join(' '),
    link: { label: 'See how good it is', view: 'evaluate', target: { runId: r.runId } },
  }),
  suggest: (r) => ({
    text: r.suggested ? `The model suggests labels for ${count(r.suggested, 'unlabelled photo')}. Press Enter on a photo to accept its suggestion.` : 'There was no unlabelled photo to suggest a label for.',
    link: r.suggested ? { label: 'Review the suggestions', view: 'label', target: { suggested: true } } : undefined,
  }),
  downloadBackbone: (r) => ({
    text: r.alreadyPresent
      ? `${catalogueTitle(r.backbone)} was already on this computer.`
      : `${catalogueTitle(r.backbone)} (${formatBytes(r.bytes)}) is ready to train on: ${checkWords(r.verifiedBy)}. Its licence, ${r.licence}, is saved beside it.`,
    details: `${r.backbone} in ${r.folder}, with LICENSE.txt.`,
    link: { label: 'Train with it', view: 'train' },
    warning: r.verifiedBy === 'unchecked',
  }),
  importBackbone: (r) => ({
    text: `${r.title} can now be trained on (${formatNumber(r.featureSize)} features from ${r.featureLayer}).${r.onnxProblem ? ` Classifying with it will be slower: ${r.onnxProblem}` : ''}`,
    details: r.notes.join(' '),
    link: { label: 'Train with it', view: 'train' },
    warning: r.onnxProblem !== null,
  }),
  classify: (r) => ({
    text: `${count(r.classified + r.reused, 'photo')} classified${r.classified && deviceWords(r.engine) ? ` ${deviceWords(r.engine)}` : ''}${r.unchanged ? `, ${formatNumber(r.unchanged)} done before` : ''}${r.failed ? `, ${amount(r.failed, 'files')} could not be read` : ''}.`,
    details: `${formatRate(r.photosPerSecond, 'photos')} by ${r.engine}.`,
    link: { label: 'See the results', view: 'classify', target: r.classifierId !== null ? { classifierId: r.classifierId } : undefined },
    warning: r.failed > 0,
  }),
  compare: (r) => ({
    text: `${count(r.rows.length, 'model')} trained on the same photos: ${r.rows
      .filter((row) => row.model === 'transfer')
      .map((row) => `${row.title} got ${percent(row.accuracy)} right${row.timeRatio === null ? '' : ` in ${ratio(row.timeRatio)} less time`}`)
      .join(', ')}; the network learned from scratch got ${percent(r.rows[0]?.accuracy ?? 0)} right.`,
    link: { label: 'See the table', view: 'train' },
  }),
  mergeResults: (r) => ({
    text: `${count(r.added, 'photo')} added from ${count(r.files.length, 'file')}${r.missing.count ? `; ${count(r.missing.count, 'photo')} missing from every shard` : ''}${r.duplicates.count ? `; ${count(r.duplicates.count, 'photo')} present twice` : ''}.`,
    link: { label: 'See the results', view: 'classify', target: { classifierId: r.classifierId } },
    warning: r.missing.count > 0 || r.malformed.length > 0,
  }),
  classifyToFile: (r) => ({ text: `${count(r.classified + r.reused, 'photo')} classified into ${r.out}.`, link: { label: 'Show the file', reveal: r.out } }),
  classifyAction: (r, p) => ({
    text: `${r.summary}${r.failed.length ? ` For example ${r.failed[0].path}: ${r.failed[0].reason}.` : ''}`,
    link: p.action === 'suggest' ? { label: 'Review the suggestions', view: 'label', target: { suggested: true } } : p.target ? { label: p.action === 'csv' || p.action === 'json' ? 'Show the file' : 'Show the folder', reveal: p.target } : undefined,
    warning: r.failed.length > 0,
  }),
  exportModel: (r) => ({
    text: `The model is in ${r.folder}: checked on ${count(r.verification.photos, 'photo')}, the exported files give Graft's answers${r.verification.onnxAgree === null ? ' (TensorFlow.js only)' : r.verification.tfjsAgree === null ? ' (ONNX only)' : ''}.${r.notes.length ? ` ${r.notes.join(' ')}` : ''}`,
    link: { label: 'Show the folder', reveal: r.folder },
  }),
};

export function jobOutcome(job: Job): Outcome {
  const title = job.title;
  if (job.state === 'failed') {
    // A download's own message is long (the address, the error code, how to do without internet): one short sentence, the rest in Details.
    if (job.kind === 'downloadBackbone' && job.error) return { tone: 'error', title: `${title}: failed`, text: downloadFailureWords(job.error), details: job.error, retry: true };
    return { tone: 'error', title: `${title}: failed`, text: job.error ?? 'It stopped with an error.', retry: true };
  }
  if (job.state === 'interrupted') return { tone: 'warning', title: `${title}: interrupted`, text: job.error ?? 'Graft stopped before it finished.', retry: true };
  if (job.state === 'cancelled') return { tone: 'info', title: `${title}: cancelled`, text: job.error ?? 'What was done before you cancelled is kept.', retry: true };
  if (!isJobKind(job.kind)) return { tone: 'success', title, text: 'Finished.' };
  const result = JOBS[job.kind].result.safeParse(job.result);
  const params = JOBS[job.kind].params.safeParse(job.params);
  if (!result.success || !params.success) return { tone: 'success', title, text: 'Finished.' };
  const wording = (DONE[job.kind] as Wording<JobKind>)(result.data as JobResult<JobKind>, params.data as JobParams<JobKind>);
  return { tone: wording.warning ? 'warning' : 'success', title, text: wording.text, link: wording.link, details: wording.details };
}
