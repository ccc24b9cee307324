/** Training with a labelled photo that can no longer be read: it is left out, and the run says which one and why. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { useTempProject } from '../../../test-support/tempProject';
import { projectEnvironment } from '../../../test-support/jobEnvironment';
import { useTestModels } from '../../../test-support/testModels';
import { importPhotos } from './importPhotos';
import { train } from './train';

const scratch = useTempProject();

// The real MobileNetV2 0.35 (downloaded once into a cache where no local copy exists): awaited, so
// that GRAFT_MODELS_DIR is set before training reads it.
beforeAll(async () => {
  await useTestModels(['mobilenet_v2_0.35_224']);
}, 10 * 60_000);

describe('training with an unreadable photo', () => {
  it('names the photo and the reason in the run’s notes', async () => {
    for (let i = 0; i < 6; i++) {
      await writeJpeg(path.join(scratch.dir, 'photos', 'red', `r${i}.jpg`), { r: 220, g: 20 + i * 9, b: 30 });
      await writeJpeg(path.join(scratch.dir, 'photos', 'blue', `b${i}.jpg`), { r: 30, g: 20 + i * 9, b: 220 });
    }
    await importPhotos({ folders: [path.join(scratch.dir, 'photos')], folderLabels: true }, projectEnvironment(scratch.project));
    // Damaged after the import (features are computed at training for this backbone and crop).
    const damaged = path.join(scratch.dir, 'photos', 'red', 'r3.jpg');
    fs.writeFileSync(damaged, fs.readFileSync(damaged).subarray(0, 200));
    const run = await train(
      { model: 'transfer', backbone: 'mobilenet_v2_0.35', epochs: 3, seed: 1, hidden: 0, dropout: 0, learningRate: 0.01, batchSize: 8, patience: 3, crop: 'squash', fineTuneEpochs: 0 },
      projectEnvironment(scratch.project),
    );
    expect(run.notes).toContainEqual(expect.stringMatching(new RegExp(`^1 labelled photo could not be read and was left out: ${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(.+\\)\\.$`)));
  });
});
