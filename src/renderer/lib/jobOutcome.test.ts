import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/api/jobs';
import { jobOutcome } from './jobOutcome';

const job = (kind: string, state: Job['state'], params: unknown, result: unknown = null, error: string | null = null): Job => ({
  id: 1,
  scope: 'project',
  kind,
  title: 'The job',
  params: params as Record<string, unknown>,
  state,
  progress: { done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null },
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  error,
  result,
});

describe('jobOutcome', () => {
  it('words a failure with its reason, as an error that can be run again', () => {
    const outcome = jobOutcome(job('import', 'failed', { folders: ['/x'], folderLabels: false }, null, '/x is not a folder (it does not exist).'));
    expect(outcome).toMatchObject({ tone: 'error', title: 'The job: failed', text: '/x is not a folder (it does not exist).', retry: true });
  });

  it('words a failed download in one short sentence, with the whole message in the details', () => {
    const error = 'Could not download X (x) from https://github.com/x/x.tflite (fetch failed: getaddrinfo ENOTFOUND github.com). Without internet, copy its folder … or start Graft with GRAFT_MODELS_DIR set to a models folder that holds it.';
    const outcome = jobOutcome(job('downloadBackbone', 'failed', { backbone: 'x' }, null, error));
    expect(outcome).toMatchObject({ tone: 'error', text: 'No internet connection: Graft could not reach github.com.', details: error, retry: true });
  });

  it('says what an import added and links to labelling them; files it could not read make it a warning', () => {
    const result = {
      found: 3,
      added: 2,
      newPaths: 0,
      unchanged: 0,
      skipped: 0,
      missing: 0,
      labelled: 0,
      problems: [{ path: '/x/a.jpg', reason: 'empty file' }],
      conflicts: [],
      nearDuplicates: { groups: 0, photos: 0 },
      splitRepairs: { joinedGroup: 0, groupsThatCrossed: 0, completedClass: 0 },
    };
    const outcome = jobOutcome(job('import', 'done', { folders: ['/x'], folderLabels: false }, result));
    expect(outcome).toMatchObject({ tone: 'warning', link: { label: 'Label them', view: 'label' } });
    expect(outcome.text).toBe('2 new photos added. 1 file could not be imported: the Library lists it with the reason.');
  });

  it('offers to train, not to label, when every new photo was labelled from its folder name', () => {
    const result = {
      found: 100,
      added: 100,
      newPaths: 0,
      unchanged: 0,
      skipped: 0,
      missing: 0,
      labelled: 100,
      problems: [],
      conflicts: [],
      nearDuplicates: { groups: 0, photos: 0 },
      splitRepairs: { joinedGroup: 0, groupsThatCrossed: 0, completedClass: 0 },
    };
    const params = { folders: ['/x'], folderLabels: true };
    expect(jobOutcome(job('import', 'done', params, result))).toMatchObject({ tone: 'success', link: { label: 'Train a model', view: 'train' } });
    expect(jobOutcome(job('import', 'done', params, { ...result, labelled: 99 })).link).toEqual({ label: 'Label them', view: 'label' });
    expect(jobOutcome(job('import', 'done', params, { ...result, added: 0, labelled: 0, unchanged: 100 })).link).toEqual({ label: 'See the library', view: 'library' });
  });

  it('names a run "Run 3" and speaks of passes, with epochs only in the details', () => {
    const evaluation = { accuracy: 0.95, top5Accuracy: null, perClass: [], confusion: [], count: 20 };
    const result = { runId: 3, model: 'transfer', backend: 'wasm', engine: null, backbone: 'x', classes: ['a', 'b'], photos: { train: 80, earlyStopping: 12, test: 20 }, featuresComputed: 0, extractSeconds: 1, trainSeconds: 1, epochs: 12, bestEpoch: 7, evaluation, notes: [] };
    const outcome = jobOutcome(job('train', 'done', {}, result));
    expect(outcome.text).toBe(`Run 3 got ${(0.95).toLocaleString(undefined, { style: 'percent' })} of 20 photos it never trained on right.`);
    expect(outcome.details).toMatch(/^12 passes over the photos \(epochs; the best was pass 7\)/);
  });

  it('writes a comparison’s ratios and shares as the rest of the app does (7.2×, 95%)', () => {
    const row = (model: string, title: string, accuracy: number, timeRatio: number | null) => ({ runId: 1, model, backbone: title, title, seconds: 1, accuracy, testPhotos: 20, timeRatio, accuracyRatio: null });
    const result = { rows: [row('scratch', 'From scratch', 0.5, null), row('transfer', 'MobileNetV1 0.75', 0.95, 7.2), row('transfer', 'Big', 0.9, 17.26)], notes: [] };
    const pct = (share: number) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(share);
    expect(jobOutcome(job('compare', 'done', {}, result)).text).toBe(
      `3 models trained on the same photos: MobileNetV1 0.75 got ${pct(0.95)} right in ${(7.2).toLocaleString()}× less time, Big got ${pct(0.9)} right in 17× less time; the network learned from scratch got ${pct(0.5)} right.`,
    );
  });

  it('links an export of results to the file it wrote', () => {
    const params = { filter: { classifierId: 1, threshold: 0.7 }, action: 'csv', target: '/out/results.csv' };
    const outcome = jobOutcome(job('classifyAction', 'done', params, { action: 'csv', done: 20, skipped: 0, failed: [], summary: 'Wrote the results to /out/results.csv (CSV).' }));
    expect(outcome).toMatchObject({ tone: 'success', text: 'Wrote the results to /out/results.csv (CSV).', link: { label: 'Show the file', reveal: '/out/results.csv' } });
  });

  it('says a downloaded backbone is ready, how it was checked and its licence; an unchecked one is a warning', () => {
    const result = { backbone: 'mobilenet_v1_0.75_224', folder: '/models/mobilenet_v1_0.75_224', bytes: 10_457_307, alreadyPresent: false, verifiedBy: 'sha256', licence: 'Apache-2.0' };
    const outcome = jobOutcome(job('downloadBackbone', 'done', { backbone: 'mobilenet_v1_0.75_224' }, result));
    expect(outcome).toMatchObject({ tone: 'success', link: { label: 'Train with it', view: 'train' }, details: 'mobilenet_v1_0.75_224 in /models/mobilenet_v1_0.75_224, with LICENSE.txt.' });
    expect(outcome.text).toBe('MobileNetV1 0.75 (10.5 MB) is ready to train on: every file matched the SHA-256 the catalogue records for it. Its licence, Apache-2.0, is saved beside it.');
    const unchecked = jobOutcome(job('downloadBackbone', 'done', { backbone: 'mediapipe_mobilenet_v3_small_embedder' }, { ...result, backbone: 'mediapipe_mobilenet_v3_small_embedder', verifiedBy: 'unchecked' }));
    expect(unchecked).toMatchObject({ tone: 'warning' });
    expect(unchecked.text).toMatch(/^MobileNetV3 small .* not checked: Graft has no size or checksum recorded for it\./);
  });

  it('says where a classification ran, with the whole engine description in the details', () => {
    const engine = 'onnxruntime 1.30.0 on the CPU (2 threads) (the CPU was asked for)';
    const result = { classifierId: 1, found: 12, classified: 12, reused: 0, unchanged: 0, failed: 0, seconds: 1, photosPerSecond: 12, engine, problems: [] };
    const outcome = jobOutcome(job('classify', 'done', { folders: ['/x'], model: { runId: 1 } }, result));
    expect(outcome.text).toBe('12 photos classified on the CPU.');
    expect(outcome.details).toBe(`12 photos/s by ${engine}.`);
  });
});
