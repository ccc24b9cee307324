/**
 * `graft train` checks readiness as the Train view does (refuses a class without training photos,
 * warns on stderr, --json carries the warnings); `graft classify --threshold` is remembered and
 * `graft results` starts from it; labels made by a command are its own (a window's undo skips them).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../test-support/imageFixtures';
import { makeTempDir } from '../../test-support/tempDir';
import { testModelsDir } from '../../test-support/testModels';
import { openProject } from '../node/data/project';
import { distPath } from '../node/paths';

let temp: ReturnType<typeof makeTempDir>;
let project: string;

/** Runs the built `graft` command as a user would; returns the exit code and output. */
async function graft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home'), GRAFT_MODELS_DIR: await testModelsDir(['mobilenet_v2_0.35_224']) };
  return new Promise((resolve) => {
    execFile(process.execPath, [distPath('cli.cjs'), '--no-progress', ...args], { env, cwd: temp.dir }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  temp = makeTempDir();
  project = path.join(temp.dir, 'p.graft');
  // Train and validation folders only: the validation photos will stand in for a test split.
  for (let i = 0; i < 14; i++) {
    const split = i < 10 ? 'train' : 'validation';
    await writeJpeg(path.join(temp.dir, 'photos', split, 'red', `r${i}.jpg`), { r: 220 - i * 4, g: 20 + i * 6, b: 40 });
    await writeJpeg(path.join(temp.dir, 'photos', split, 'blue', `b${i}.jpg`), { r: 40, g: 20 + i * 6, b: 220 - i * 4 });
  }
  await writeJpeg(path.join(temp.dir, 'photos', 'validation', 'green', 'g0.jpg'), { r: 30, g: 200, b: 40 });
  expect((await graft('import', path.join(temp.dir, 'photos'), '--project', project, '--folder-labels')).code).toBe(0);
});
afterAll(() => temp.remove());

describe('graft train, classify and results (what the user is told)', () => {
  it('refuses to train while a class has no training photo, naming it', async () => {
    const refused = await graft('--json', 'train', '--project', project, '--backbone', 'mobilenet_v2_0.35_224');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.message).toMatch(/^“green” has no photo in the training split/);
  });

  it('trains with warnings on stderr and in --json, and says validation photos stood in for the test split', async () => {
    expect((await graft('label', 'none', path.join(temp.dir, 'photos', 'validation', 'green', 'g0.jpg'), '--project', project)).code).toBe(0);
    const trained = await graft('--json', 'train', '--project', project, '--backbone', 'mobilenet_v2_0.35_224');
    expect(trained.code).toBe(0);
    expect(trained.stderr).toMatch(/Warning: This project has no test photos, so the 8 validation photos will measure the model instead/);
    const result = JSON.parse(trained.stdout);
    expect(result.warnings).toEqual([expect.stringMatching(/no test photos/)]);
    expect((await graft('eval', '--project', project)).stdout).toMatch(/on 8 validation photos \(the project has no test photos; they stood in\)/);
  }, 120_000);

  it('remembers the threshold a classify used, so that results start from it', async () => {
    const classified = await graft('--json', 'classify', path.join(temp.dir, 'photos', 'validation'), '--model', '1', '--project', project, '--threshold', '0.999');
    expect(classified.code).toBe(0);
    const summary = JSON.parse((await graft('--json', 'results', '--project', project)).stdout);
    expect(summary.threshold).toBe(0.999);
    const unknown = summary.counts.find((c: { label: string }) => c.label === 'unknown').count;
    // The same count as asking for that threshold explicitly.
    const explicit = JSON.parse((await graft('--json', 'results', '--project', project, '--threshold', '0.999')).stdout);
    expect(explicit.counts.find((c: { label: string }) => c.label === 'unknown').count).toBe(unknown);
    const listed = JSON.parse((await graft('--json', 'results', '--project', project, '--class', 'unknown')).stdout);
    expect(listed).toHaveLength(unknown);
  }, 60_000);

  it('labels as its own origin: undo without that origin leaves them', async () => {
    expect((await graft('label', 'red', path.join(temp.dir, 'photos', 'validation', 'green', 'g0.jpg'), '--project', project)).code).toBe(0);
    const opened = openProject(project);
    try {
      expect(opened.stores.library.undo(null)).toBe(0);
      expect(opened.stores.library.undo('window-1')).toBe(0);
    } finally {
      opened.close();
    }
  });
});
