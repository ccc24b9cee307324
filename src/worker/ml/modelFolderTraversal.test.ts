/**
 * A model folder is a file the user was given: the paths its model.json lists are never trusted.
 * Importing it must write only inside the models folder, and loading one must read only inside
 * its own folder, whatever `weightsManifest` says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { loadLayersModelFolder } from './featureExtractor';
import { importBackbone } from './importBackbone';
import { weightFilesOf } from './modelManifest';

let temp: ReturnType<typeof makeTempDir>;
let previousModelsDir: string | undefined;

beforeEach(() => {
  temp = makeTempDir();
  previousModelsDir = process.env.GRAFT_MODELS_DIR;
  // Two levels deeper than the attacker's folder, so that the same "../../victim.txt" names one
  // file beside the source (the bytes to plant) and another beside the models folder (the victim).
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'home', 'models');
  fs.mkdirSync(process.env.GRAFT_MODELS_DIR, { recursive: true });
});
afterEach(() => {
  if (previousModelsDir === undefined) delete process.env.GRAFT_MODELS_DIR;
  else process.env.GRAFT_MODELS_DIR = previousModelsDir;
  temp.remove();
});

/** A model folder whose manifest lists `weightPath`, with the attacker's bytes where that path leads from the folder. */
function hostileModel(weightPath: string): string {
  const source = path.join(temp.dir, 'download', 'model');
  fs.mkdirSync(source, { recursive: true });
  const planted = path.resolve(source, weightPath);
  fs.mkdirSync(path.dirname(planted), { recursive: true });
  fs.writeFileSync(planted, 'ATTACKER BYTES');
  fs.writeFileSync(
    path.join(source, 'model.json'),
    JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: [weightPath], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }] }),
  );
  return source;
}

describe('paths inside model.json', () => {
  it.each(['../../victim.txt', 'sub/../../../victim.txt', './../../victim.txt'])('importing a folder that lists %s leaves the file outside the models folder byte-identical', async (weightPath) => {
    const victim = path.join(temp.dir, 'home', 'victim.txt');
    fs.writeFileSync(victim, 'precious\n');
    const before = fs.readFileSync(victim);
    const source = hostileModel(weightPath);
    await expect(importBackbone({ folder: source, name: 'evil', preprocessing: 'scale_0_1' })).rejects.toThrow(/model\.json lists the weight file .* not a file inside its folder/);
    expect(fs.readFileSync(victim).equals(before)).toBe(true);
    // Nothing was left behind in the models folder either.
    expect(fs.readdirSync(process.env.GRAFT_MODELS_DIR!)).toEqual([]);
  });

  it('refuses absolute, backslashed, empty and NUL paths, and accepts plain relative ones', () => {
    const folder = path.join(temp.dir, 'm');
    const listing = (paths: unknown[]) => ({ weightsManifest: [{ paths, weights: [] }] });
    for (const bad of ['/etc/passwd', '..\\..\\x.bin', 'C:\\x.bin', 'C:x.bin', '', 'a\0b', '..', 'a/../../b', 42]) {
      expect(() => weightFilesOf(listing([bad]), folder), JSON.stringify(bad)).toThrow(/model\.json/);
    }
    expect(weightFilesOf(listing(['group1-shard1of2.bin', 'shards/group1-shard2of2.bin', './w.bin']), folder)).toEqual(['group1-shard1of2.bin', path.join('shards', 'group1-shard2of2.bin'), 'w.bin']);
    expect(weightFilesOf({}, folder)).toEqual([]);
    expect(() => weightFilesOf({ weightsManifest: 'x' }, folder)).toThrow(/model\.json/);
  });

  it('loading a model folder never reads a weight file from outside it', async () => {
    const source = hostileModel('../../victim.txt');
    await expect(loadLayersModelFolder(source)).rejects.toThrow(/not a file inside its folder/);
  });
});
