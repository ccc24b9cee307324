import { describe, expect, it } from 'vitest';
import { TrainChoices } from '../../shared/api/training';
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

  it('read back an older saved value that is out of today’s limits (or unknown) as its default, keeping the others', () => {
    const { settings } = scratch.project.stores;
    const saved = { epochs: 5000, hidden: 128, crop: 'stretch', fineTune: true, fineTuneEpochs: 0, scratchEpochs: 12.5, momentum: 0.9 };
    scratch.project.db.prepare("INSERT INTO project_meta (key, value) VALUES ('train_choices', ?)").run(JSON.stringify(saved));
    const defaults = TrainChoices.parse({});
    expect(settings.trainChoices()).toEqual({ ...defaults, hidden: 128, fineTune: true });
    // …and a change is saved over them, the unreadable ones now their defaults.
    expect(settings.setTrainChoices({ epochs: 40 })).toEqual({ ...defaults, epochs: 40, hidden: 128, fineTune: true });
  });
});
