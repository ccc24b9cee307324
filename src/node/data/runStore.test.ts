import { describe, expect, it } from 'vitest';
import { newPhotoRow, useTempProject } from '../../../test-support/tempProject';
import { TrainParams } from '../../shared/api/training';
import type { NewRun } from './runStore';

const scratch = useTempProject();

/** Three photos labelled a, b, c; their ids and the classes' ids. */
function addPhotos() {
  const hash = (n: number) => String(n).repeat(64).slice(0, 64);
  scratch.project.stores.imports.record(['a', 'b', 'c'].map((label, i) => newPhotoRow(hash(i + 1), `/photos/${i}.jpg`, { label, split: 'test' })));
  const classes = Object.fromEntries(scratch.project.stores.library.classes().map((c) => [c.name, c.id]));
  const photos = [1, 2, 3].map((n) => scratch.project.stores.library.imageByHash(hash(n))!.id);
  return { classes, photos };
}

describe('run predictions', () => {
  it('lists the photos the run got wrong first, highest loss first, then the right ones', () => {
    const { classes, photos } = addPhotos();
    const runId = scratch.project.stores.runs.record({
      jobId: null,
      kind: 'transfer',
      backbone: 'x',
      config: TrainParams.parse({}),
      backend: 'wasm',
      engine: null,
      classes: [
        { id: classes.a, name: 'a' },
        { id: classes.b, name: 'b' },
        { id: classes.c, name: 'c' },
      ],
      extractSeconds: 1,
      featuresComputed: 3,
      photos: 3,
      trainSeconds: 1,
      epochs: 1,
      history: [],
      evaluation: { accuracy: 1 / 3, top5Accuracy: null, perClass: [], confusion: [], count: 3 },
      evaluatedOn: 'test',
      weights: {},
      fineTuned: null,
      predictions: [
        // Right, but only 30 % sure among three classes: a higher loss than either wrong one.
        { imageId: photos[0], trueClassId: classes.a, predictedClassId: classes.a, confidence: 0.3, loss: 1.2 },
        { imageId: photos[1], trueClassId: classes.b, predictedClassId: classes.a, confidence: 0.45, loss: 0.9 },
        { imageId: photos[2], trueClassId: classes.c, predictedClassId: classes.a, confidence: 0.5, loss: 1.0 },
      ],
    });
    expect(scratch.project.stores.runs.predictions({ runId, limit: 10 }).map((p) => p.imageId)).toEqual([photos[2], photos[1], photos[0]]);
  });
});

describe('runs as people meet them', () => {
  const record = (kind: 'transfer' | 'scratch', backbone: string, accuracy = 0.5) =>
    scratch.project.stores.runs.record({
      jobId: null,
      kind,
      backbone,
      config: TrainParams.parse({}),
      backend: 'wasm',
      engine: null,
      classes: [],
      extractSeconds: 1,
      featuresComputed: 0,
      photos: 0,
      trainSeconds: 1,
      epochs: 1,
      history: [],
      evaluation: { accuracy, top5Accuracy: null, perClass: [], confusion: [], count: 0 },
      evaluatedOn: 'test',
      weights: {},
      fineTuned: null,
      predictions: [],
    } satisfies NewRun);

  it('suggestions and Try it default to the best transfer run, not the latest; of equal ones the latest; never one learned from scratch', () => {
    expect(scratch.project.stores.runs.bestTransferId()).toBeNull();
    const best = record('transfer', 'mobilenet_v1_0.75_224', 0.95);
    record('transfer', 'mobilenet_v1_0.75_224', 0.9);
    record('scratch', 'mobilenet_v1_0.75_224', 0.99);
    expect(scratch.project.stores.runs.bestTransferId()).toBe(best);
    const tie = record('transfer', 'mobilenet_v2_0.35_224', 0.95);
    expect(scratch.project.stores.runs.bestTransferId()).toBe(tie);
  });

  it('is the catalogue’s plain title, not its id; a run learned from scratch says so; an unknown id stays itself', () => {
    const ids = [record('transfer', 'mobilenet_v1_0.75_224'), record('transfer', 'coral_tf2_mobilenet_v2_1.0_224_ptq'), record('scratch', 'mobilenet_v1_0.75_224'), record('transfer', 'imported_gone')];
    const networks = new Map(scratch.project.stores.runs.list().map((r) => [r.id, r.network]));
    expect(ids.map((id) => networks.get(id))).toEqual(['MobileNetV1 0.75', 'MobileNetV2 1.0 (Coral, compact)', 'Learned from scratch', 'imported_gone']);
    expect(scratch.project.stores.runs.summary(ids[0]).network).toBe('MobileNetV1 0.75');
  });
});
