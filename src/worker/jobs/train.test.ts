import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { makeTempDir } from '../../../test-support/tempDir';
import { projectEnvironment } from '../../../test-support/jobEnvironment';
import { useTestModels } from '../../../test-support/testModels';
import { createProject, type Project } from '../../node/data/project';
import { importPhotos } from './importPhotos';
import type { JobContext } from '../../shared/jobs/jobContext';
import { TrainParams } from '../../shared/api/training';
import { suggest } from './suggest';
import { exportModel } from './exportModel';
import { compare } from './compare';
import { train } from './train';

let temp: ReturnType<typeof makeTempDir>;
let project: Project;
const context: JobContext = { signal: new AbortController().signal, progress: () => {} };
const params = { model: 'transfer' as const, backbone: 'mobilenet_v2_0.35', epochs: 40, seed: 1, hidden: 0, dropout: 0.2, learningRate: 0.01, batchSize: 8, patience: 8, crop: 'center' as const, fineTuneEpochs: 0 };

beforeAll(async () => {
  // The real MobileNetV2 0.35 (downloaded once into a cache where no local copy exists).
  await useTestModels(['mobilenet_v2_0.35_224']);
  temp = makeTempDir();
  project = createProject(path.join(temp.dir, 'p.graft'));
  // Reddish and bluish photos with varying shades: a task the pretrained features must make easy.
  for (let i = 0; i < 24; i++) {
    const shade = 20 + i * 6;
    await writeJpeg(path.join(temp.dir, 'photos', 'red', `r${i}.jpg`), { r: 230 - shade / 3, g: shade, b: 40 });
    await writeJpeg(path.join(temp.dir, 'photos', 'blue', `b${i}.jpg`), { r: 40, g: shade, b: 230 - shade / 3 });
  }
  await importPhotos({ folders: [path.join(temp.dir, 'photos')], folderLabels: true }, projectEnvironment(project, context));
});
afterAll(() => {
  // Absent when beforeAll failed (no test backbones): its sentence is then the only error.
  project?.close();
  temp?.remove();
});

describe('train job', () => {
  it('trains on backbone features, evaluates on photos it did not train on, and records the run', async () => {
    const result = await train(params, projectEnvironment(project, context));
    expect(result.backend).toBe('wasm');
    expect(result.classes.sort()).toEqual(['blue', 'red']);
    expect(result.featuresComputed).toBe(48);
    expect(result.photos.test).toBeGreaterThan(0);
    expect(result.photos.train + result.photos.earlyStopping + result.photos.test).toBe(48);
    expect(result.evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(result.photos.test);
    expect(project.stores.runs.list()[0]).toMatchObject({ id: result.runId, backbone: 'mobilenet_v2_0.35_224', backend: 'wasm', evaluatedOn: 'test' });
    const predictions = project.stores.runs.predictions({ runId: result.runId, limit: 1000 });
    expect(predictions).toHaveLength(result.photos.test);
    expect(predictions.map((p) => p.loss)).toEqual([...predictions.map((p) => p.loss)].sort((a, b) => b - a));
    const [firstId, secondId] = project.stores.runs.list()[0].classIds;
    const cell = project.stores.runs.predictions({ runId: result.runId, trueClassId: firstId, predictedClassId: firstId, limit: 1000 });
    expect(cell.length).toBe(result.evaluation.confusion[0][0]);
    expect(cell.every((p) => p.trueClassId === firstId && p.predictedClassId === firstId && p.confidence > 0.5)).toBe(true);
    expect(secondId).not.toBe(firstId);
  });

  it('retrains from cached features after labels change', async () => {
    const library = project.stores.library;
    const red = library.classes().find((c) => c.name === 'red')!;
    const someBlue = library.page({ classId: library.classes().find((c) => c.name === 'blue')!.id, sort: 'name', offset: 0, limit: 2 }).items.map((i) => i.id);
    library.setLabels(someBlue, red.id);
    const result = await train(params, projectEnvironment(project, context));
    expect(result.featuresComputed).toBe(0);
    expect(project.stores.runs.list()).toHaveLength(2);
  });

  it('suggests labels for unlabelled photos, queues the least sure first, and accepts them in one undoable action', async () => {
    const library = project.stores.library;
    const photos = library.page({ sort: 'name', offset: 0, limit: 100 }).items;
    const truth = new Map(photos.map((p) => [p.id, p.classId]));
    const unlabelled = photos.slice(0, 6).map((p) => p.id);
    library.setLabels(unlabelled, null);

    const result = await suggest({}, projectEnvironment(project, context));
    expect(result).toMatchObject({ suggested: 6, unreadable: 0 });
    const queue = library.page({ suggested: true, sort: 'uncertainty', offset: 0, limit: 100 }).items;
    expect(queue.map((p) => p.id).sort()).toEqual([...unlabelled].sort());
    expect(queue.every((p) => p.suggestedClassId !== null && p.suggestionConfidence! > 0.5)).toBe(true);

    expect(library.acceptSuggestions(unlabelled)).toBe(6);
    const accepted = library.page({ sort: 'name', offset: 0, limit: 100 }).items.filter((p) => unlabelled.includes(p.id));
    expect(accepted.filter((p) => p.classId === truth.get(p.id)).length).toBeGreaterThanOrEqual(5);
    expect(library.undo()).toBe(6);
    expect(library.summary().unlabelled).toBe(6);
    library.redo();
  });

  it('trains the from-scratch CNN baseline on the wasm backend, on the same photos and splits', async () => {
    const transfer = project.stores.runs.list()[0];
    const result = await train({ ...params, model: 'scratch', epochs: 15, patience: 15, learningRate: 0.01 }, projectEnvironment(project, context));
    expect(result).toMatchObject({ model: 'scratch', backend: 'wasm', backbone: 'scratch_cnn_64', photos: { test: transfer.evaluation.count } });
    expect(result.epochs).toBe(15);
    expect(result.evaluation.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(project.stores.runs.list()[0]).toMatchObject({ kind: 'scratch' });
    // Convolutions train slowly on wasm (this takes ~15 s on an idle 2-core machine).
  }, 180_000);

  it('fine-tunes the top block on augmented photos, and classifies and exports exactly what it evaluated', async () => {
    const result = await train({ ...params, fineTuneEpochs: 2 }, projectEnvironment(project, context));
    expect(result.notes.join(' ')).toMatch(/Fine-tuned the top block of mobilenet_v2_0\.35_224 for 2 passes \(best: pass [12]\)/);
    expect(result.evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
    const layers = Object.keys(project.stores.runs.transferRun(result.runId).fineTuned ?? {});
    expect(layers).toEqual(expect.arrayContaining(['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1']));
    // The export (ONNX and TensorFlow.js, made from the fine-tuned layers) gives what the fine-tuned model gave.
    const exported = await exportModel({ runId: result.runId, folder: path.join(temp.dir, 'fine-tuned') }, projectEnvironment(project, context));
    expect(exported.verification).toMatchObject({ onnxAgree: exported.verification.photos, tfjsAgree: exported.verification.photos });
    expect(exported.verification.maxDifference).toBeLessThan(1e-4);
    const predicted = project.stores.runs.predictions({ runId: result.runId, limit: 1000 });
    expect(predicted).toHaveLength(result.photos.test);
    // Suggestions from a fine-tuned run go through its fine-tuned layers, not the cached features.
    const library = project.stores.library;
    // Reddish photos (an earlier test relabelled two bluish ones on purpose).
    const photos = library.page({ search: 'r2', sort: 'name', offset: 0, limit: 2 }).items;
    library.setLabels(photos.map((p) => p.id), null);
    expect(await suggest({ runId: result.runId }, projectEnvironment(project, context))).toMatchObject({ runId: result.runId, suggested: 2, unreadable: 0 });
    const suggested = library.page({ suggested: true, sort: 'name', offset: 0, limit: 10 }).items;
    expect(suggested.map((p) => p.suggestedClassId)).toEqual(photos.map((p) => p.classId));
    library.undo();
  }, 120_000);

  it('says what to do when the backbone is not in the models folder', async () => {
    await expect(train({ ...params, backbone: 'mobilenet_v1_1.0' }, projectEnvironment(project, context))).rejects.toThrow(/not in the models folder.*download https:\/\/storage\.googleapis\.com\/tfjs-models\/tfjs\/mobilenet_v1_1\.0_224\/model\.json/);
  });

  it('compares a backbone with the from-scratch CNN on the same photos, computing the features again to time them', async () => {
    const result = await compare({ backbones: ['mobilenet_v2_0.35'], scratchEpochs: 2, seed: 1 }, projectEnvironment(project, context));
    expect(result.rows.map((r) => [r.model, r.backbone])).toEqual([
      ['scratch', 'scratch_cnn_64'],
      ['transfer', 'mobilenet_v2_0.35_224'],
    ]);
    const [scratch, transfer] = result.rows;
    expect(scratch).toMatchObject({ timeRatio: null, accuracyRatio: null });
    expect(transfer.timeRatio).toBeCloseTo(scratch.seconds / transfer.seconds, 6);
    expect(transfer.accuracyRatio).toBeCloseTo(transfer.accuracy / scratch.accuracy, 6);
    expect(transfer.testPhotos).toBe(scratch.testPhotos);
    const runs = project.stores.runs.list();
    const transferRun = runs.find((r) => r.id === transfer.runId)!;
    // The features were computed, not read from the cache: the time compared is the real one.
    expect(transferRun.featuresComputed).toBe(transferRun.photos);
    // The CNN learns with Train's own settings, except its epochs (Adam at 0.01 left it at chance on real photos).
    const scratchRun = runs.find((r) => r.id === scratch.runId)!;
    expect(scratchRun.config).toEqual(TrainParams.parse({ model: 'scratch', epochs: 2, patience: 2, seed: 1 }));
  }, 120_000);

  it('refuses to train when a class has no training photo, naming it', async () => {
    const library = project.stores.library;
    const green = library.createClass('green');
    const two = library.page({ sort: 'name', offset: 0, limit: 2 }).items;
    library.setLabels(two.map((p) => p.id), green.id);
    project.stores.splits.pin(two.map((p) => p.id), 'test', project.stores.settings.splitSettings());
    try {
      await expect(train(params, projectEnvironment(project, context))).rejects.toThrow(/^“green” has no photo in the training split/);
    } finally {
      library.deleteClass(green.id);
    }
  });
});
