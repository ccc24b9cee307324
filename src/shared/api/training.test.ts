import { describe, expect, it } from 'vitest';
import { choiceLimits, CompareParams, TrainChoices, TrainChoicesChange, TrainParams } from './training';

describe('the Train view’s choices', () => {
  it('accept what the jobs they start accept, and default to what those jobs do', () => {
    const train = TrainParams.parse({});
    expect(TrainChoices.parse({})).toMatchObject({ epochs: train.epochs, hidden: train.hidden, crop: train.crop, scratchEpochs: CompareParams.parse({}).scratchEpochs });
    for (const [key, job] of [
      ['epochs', TrainParams.shape.epochs],
      ['hidden', TrainParams.shape.hidden],
      ['scratchEpochs', CompareParams.shape.scratchEpochs],
    ] as const) {
      expect(choiceLimits(key)).toEqual({ min: job.unwrap().minValue, max: job.unwrap().maxValue });
    }
    // Fine-tuning is ticked apart, so its passes start at one; its most is the job's.
    expect(choiceLimits('fineTuneEpochs')).toEqual({ min: 1, max: TrainParams.shape.fineTuneEpochs.unwrap().maxValue });
  });

  it('are changed one by one: a change leaves out what it does not name, rather than filling in defaults', () => {
    expect(TrainChoicesChange.parse({ epochs: 30 })).toEqual({ epochs: 30 });
    expect(TrainChoicesChange.safeParse({ epochs: choiceLimits('epochs').max! + 1 }).success).toBe(false);
    expect(TrainChoicesChange.safeParse({ momentum: 0.9 }).success).toBe(false);
  });
});
