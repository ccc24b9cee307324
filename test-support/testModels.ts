/**
 * Where the tests find real pretrained backbones and photos (they never download at test time
 * unless nothing else is there): `GRAFT_MODELS_DIR`, else `../shared/models` beside the clone,
 * else the user's own models folder. One place, so a clone anywhere runs the same tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { userDataDir } from '../src/node/paths';

const repoRoot = path.resolve(import.meta.dirname, '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared');

function hasBackbones(dir: string, ids: string[]): boolean {
  return ids.every((id) => fs.existsSync(path.join(dir, id, 'model.json')));
}

/** The first models folder holding all of `ids`; throws one sentence saying what to do otherwise. */
export function testModelsDir(ids: string[]): string {
  const candidates = [process.env.GRAFT_MODELS_DIR, path.join(sharedDir, 'models'), path.join(userDataDir(), 'models')].filter((d): d is string => Boolean(d));
  const found = candidates.find((dir) => hasBackbones(dir, ids));
  if (found) return path.resolve(found);
  throw new Error(
    `These tests need the pretrained backbones ${ids.join(', ')}: set GRAFT_MODELS_DIR to a folder holding them (one sub-folder per id with model.json), ` +
      `or put them in ${path.join(sharedDir, 'models')}, or download them once with \`npx graft backbones --download <id>\`.`,
  );
}

/** Points Graft at the test models folder for this test file; returns it. */
export function useTestModels(ids: string[]): string {
  const dir = testModelsDir(ids);
  process.env.GRAFT_MODELS_DIR = dir;
  return dir;
}

/** A folder of real photos from `../shared/datasets` (e.g. 'cats_and_dogs/validation/dogs'); throws a sentence when absent. */
export function testPhotosDir(relative: string): string {
  const dir = path.join(process.env.GRAFT_TEST_DATASETS ?? path.join(sharedDir, 'datasets'), relative);
  if (!fs.existsSync(dir)) throw new Error(`These tests need real photos in ${dir}: set GRAFT_TEST_DATASETS to a folder holding ${relative}.`);
  return dir;
}
