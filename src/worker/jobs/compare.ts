/**
 * The seed experiment, one click: the from-scratch CNN and every ready backbone trained on the
 * same photos and splits (each a run of its own), with the time to a model — computing the
 * features counted, not read from the cache — and the test accuracy, as ratios against the CNN.
 */
import { LEARNED_FROM_SCRATCH, TrainParams, type CompareResult, type ComparisonRow, type TrainResult } from '../../shared/api/training';
import { DEFAULT_BACKBONE } from '../../shared/catalogue';
import type { JobParams } from '../../shared/jobs/registry';
import { allBackbones, isAvailable, requireBackbone } from '../../node/models/modelStore';
import type { ProjectJobEnvironment } from './jobEnvironment';
import { train } from './train';

export async function compare(params: JobParams<'compare'>, env: ProjectJobEnvironment): Promise<CompareResult> {
  const backbones = params.backbones?.map(requireBackbone) ?? allBackbones().filter(isAvailable);
  if (!backbones.length) throw new Error(`No backbone is in the models folder: download one first (graft backbones --download ${DEFAULT_BACKBONE}).`);
  const models = [{ title: LEARNED_FROM_SCRATCH, backbone: null }, ...backbones.map((b) => ({ title: b.title, backbone: b.id }))];
  const results: { title: string; result: TrainResult }[] = [];
  for (const [index, model] of models.entries()) {
    const stage = `${index + 1} of ${models.length}, ${model.title}`;
    const staged = { ...env, progress: (done: number, total: number | null, unit: string, message: string, epoch?: Parameters<typeof env.progress>[4]) => env.progress(done, total, unit, `${stage}: ${message}`, epoch) };
    // Train's own defaults for both (only the CNN's epochs are the comparison's): a faster learning
    // rate for the CNN (0.01) left it at chance on every real set measured (bench/results.bench.mjs),
    // and a ratio against chance flatters transfer learning.
    const trainParams = model.backbone
      ? { model: 'transfer' as const, backbone: model.backbone, seed: params.seed }
      : { model: 'scratch' as const, epochs: params.scratchEpochs, patience: params.scratchEpochs, seed: params.seed };
    const result = await train(TrainParams.parse(trainParams), staged, { recomputeFeatures: true });
    results.push({ title: model.title, result });
  }
  const scratch = results[0].result;
  const scratchSeconds = scratch.extractSeconds + scratch.trainSeconds;
  const rows: ComparisonRow[] = results.map(({ title, result }) => {
    const seconds = result.extractSeconds + result.trainSeconds;
    const transfer = result.model === 'transfer';
    return {
      runId: result.runId,
      model: result.model,
      backbone: result.backbone,
      title,
      seconds,
      accuracy: result.evaluation.accuracy,
      testPhotos: result.evaluation.count,
      timeRatio: transfer && seconds > 0 ? scratchSeconds / seconds : null,
      accuracyRatio: transfer && scratch.evaluation.accuracy > 0 ? result.evaluation.accuracy / scratch.evaluation.accuracy : null,
    };
  });
  const notes = [...new Set(results.flatMap(({ result }) => result.notes))];
  return { rows, notes };
}
