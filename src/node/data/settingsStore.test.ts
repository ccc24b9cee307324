import { describe, expect, it } from 'vitest';
import { useTempProject } from '../../../test-support/tempProject';

const scratch = useTempProject();

describe('the Train view’s choices', () => {
  it('are the defaults until changed, then kept in the project, one change leaving the others', () => {
    const { settings } = scratch.project.stores;
    expect(settings.trainChoices()).toEqual({ epochs: 50, hidden: 0, crop: 'center', fineTune: false, fineTuneEpochs: 5, scratchEpochs: 20 });
    settings.setTrainChoices({ scratchEpochs: 7 });
    settings.setTrainChoices({ epochs: 30, crop: 'squash' });
    expect(settings.trainChoices()).toMatchObject({ epochs: 30, crop: 'squash', scratchEpochs: 7, hidden: 0 });
  });
});
