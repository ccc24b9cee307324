/**
 * Where the tests find real pretrained backbones and photos, so that a clone anywhere runs the
 * same tests. Backbones: `GRAFT_MODELS_DIR`, else `../shared/models` beside the clone, else the
 * user's own models folder, else a cache of downloads (`GRAFT_TEST_MODELS_CACHE`, by default
 * `~/.cache/graft-test-models`), filled from the catalogue's addresses by the worker's own
 * download code the first time a test needs a backbone none of the others holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { userDataDir } from '../src/node/paths';
import { downloadBackbone } from '../src/worker/jobs/downloadBackbone';

const repoRoot = path.resolve(import.meta.dirname, '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared');

function hasBackbone(dir: string, id: string): boolean {
  return fs.existsSync(path.join(dir, id, 'model.json'));
}

/** Where downloaded test backbones are kept between runs. */
export function testModelsCache(): string {
  if (process.env.GRAFT_TEST_MODELS_CACHE) return path.resolve(process.env.GRAFT_TEST_MODELS_CACHE);
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'graft-test-models');
}

/** The folders searched before downloading, in order. */
function localModelFolders(): string[] {
  return [process.env.GRAFT_MODELS_DIR, path.join(sharedDir, 'models'), path.join(userDataDir(), 'models')].filter((dir): dir is string => Boolean(dir));
}

/**
 * Downloads the backbones of `ids` that `cache` lacks into it, with downloadBackbone (which
 * writes aside and renames, so a test sees a backbone complete or not at all). Test files run in
 * parallel processes: when two fetch the same backbone, the one that renames second finds it there.
 */
export async function downloadTestModels(ids: string[], cache: string): Promise<void> {
  fs.mkdirSync(cache, { recursive: true });
  const previous = process.env.GRAFT_MODELS_DIR;
  process.env.GRAFT_MODELS_DIR = cache;
  try {
    for (const id of ids.filter((id) => !hasBackbone(cache, id))) {
      await downloadBackbone({ backbone: id }, { signal: AbortSignal.timeout(10 * 60_000), progress: () => undefined }).catch((error: unknown) => {
        if (!hasBackbone(cache, id)) throw error;
      });
    }
  } finally {
    if (previous === undefined) delete process.env.GRAFT_MODELS_DIR;
    else process.env.GRAFT_MODELS_DIR = previous;
  }
}

/**
 * The first models folder holding all of `ids`, downloading them into the cache when no folder
 * does; rejects with one sentence saying what to do when the download fails too.
 */
export async function testModelsDir(ids: string[], folders: string[] = localModelFolders(), cache = testModelsCache()): Promise<string> {
  const found = [...folders, cache].find((dir) => ids.every((id) => hasBackbone(dir, id)));
  if (found) return path.resolve(found);
  try {
    await downloadTestModels(ids, cache);
    return cache;
  } catch (error) {
    throw new Error(
      `These tests need the pretrained backbones ${ids.join(', ')}: no folder of ${[...folders, cache].join(', ')} holds them, and downloading them into ${cache} failed (${error instanceof Error ? error.message : String(error)}). ` +
        'Run the tests once where there is internet, or set GRAFT_MODELS_DIR to a folder holding them (one sub-folder per id with model.json).',
    );
  }
}

/** Points Graft at the test models folder for this test file; returns it. */
export async function useTestModels(ids: string[]): Promise<string> {
  const dir = await testModelsDir(ids);
  process.env.GRAFT_MODELS_DIR = dir;
  return dir;
}

/** A folder of real photos from `../shared/datasets` (e.g. 'cats_and_dogs/validation/dogs'); throws a sentence when absent. */
export function testPhotosDir(relative: string): string {
  const dir = path.join(process.env.GRAFT_TEST_DATASETS ?? path.join(sharedDir, 'datasets'), relative);
  if (!fs.existsSync(dir)) throw new Error(`These tests need real photos in ${dir}: set GRAFT_TEST_DATASETS to a folder holding ${relative} (Graft's test photos are the cats_and_dogs_filtered set of TensorFlow's transfer-learning tutorial).`);
  return dir;
}
