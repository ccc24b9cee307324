// Downloading the catalogue's TensorFlow Lite backbones from a local mirror on 127.0.0.1 that
// serves the real Coral files of the test models (laid out as GRAFT_MODEL_MIRROR expects:
// tflite/<id>.tflite): checked, converted as an import converts them, placed whole or not at all.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { testModelsDir } from '../../../test-support/testModels';
import type { JobContext } from '../../shared/jobs/jobContext';
import { listBackbones } from '../../node/models/backboneList';
import { IMPORTED_DESCRIPTION, lookupBackbone } from '../../node/models/modelStore';
import { importBackbone } from '../ml/importBackbone';
import { downloadBackbone } from './downloadBackbone';

const EMBEDDER = 'coral_mobilenet_v1_1.0_224_quant_embedding_extractor';
const tfliteDir = path.join(await testModelsDir(['efficientnet_lite0_224', 'mobilenet_v2_1.0_224_tf2']), 'tflite');
let temp: ReturnType<typeof makeTempDir>;
let server: http.Server;
let port: number;
/** How the mirror spoils the file: one byte changed (same size), or cut short. */
let spoil: 'flip' | 'cut' | null = null;
const progress: { done: number; total: number | null }[] = [];
const context: JobContext = { signal: new AbortController().signal, progress: (done, total) => void progress.push({ done, total }) };

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const match = /^\/tflite\/([\w.]+\.tflite)$/.exec(new URL(request.url!, 'http://x').pathname);
    const file = match && path.join(tfliteDir, match[1]);
    if (!file || !fs.existsSync(file)) return void response.writeHead(404).end();
    const bytes = fs.readFileSync(file);
    if (spoil === 'flip') bytes[100_000] ^= 0xff;
    response.end(spoil === 'cut' ? bytes.subarray(0, bytes.length - 1000) : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  temp = makeTempDir();
  spoil = null;
  progress.length = 0;
  process.env.GRAFT_MODEL_MIRROR = `http://127.0.0.1:${port}/`;
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'models');
});
afterEach(() => {
  delete process.env.GRAFT_MODEL_MIRROR;
  temp.remove();
});

describe('downloading a TensorFlow Lite backbone of the catalogue', () => {
  it('fetches it with progress, checks its SHA-256, converts it as an import does, and lists it as ready under its catalogue id', async () => {
    expect(listBackbones().find((b) => b.id === EMBEDDER)).toMatchObject({ available: false, source: 'tflite', size: { bytes: 3_251_736, exact: true }, featureSize: 1024 });
    const result = await downloadBackbone({ backbone: EMBEDDER }, context);
    const folder = path.join(temp.dir, 'models', EMBEDDER);
    expect(result).toEqual({ backbone: EMBEDDER, folder, bytes: 3_251_736, alreadyPresent: false, verifiedBy: 'sha256', licence: 'Apache-2.0' });
    expect(progress.some((p) => p.done > 0 && p.done < 3_251_736 && p.total === 3_251_736)).toBe(true);
    expect(fs.readdirSync(folder).sort()).toEqual(['LICENSE.txt', IMPORTED_DESCRIPTION, 'model.json', 'weights.bin'].sort());
    expect(fs.readFileSync(path.join(folder, 'LICENSE.txt'), 'utf8')).toMatch(/SHA-256 \(f409ef4f73fc[0-9a-f]+\) matched[\s\S]*Licence: Apache-2\.0 \(https:\/\/www\.apache\.org\/licenses\/LICENSE-2\.0\)/);
    expect(lookupBackbone(EMBEDDER)).toMatchObject({ id: EMBEDDER, featureSize: 1024, inputSize: 224, licence: 'Apache-2.0' });
    expect(listBackbones().find((b) => b.id === EMBEDDER)).toMatchObject({ available: true, folder, source: 'tflite', featureSize: 1024 });
    expect(fs.readdirSync(path.join(temp.dir, 'models')).filter((name) => name.startsWith('.'))).toEqual([]);

    // The same model an import of the same file makes.
    const { backbone: imported } = await importBackbone({ folder: path.join(tfliteDir, `${EMBEDDER}.tflite`), name: 'same', preprocessing: 'scale_-1_1' });
    const importedFolder = path.join(temp.dir, 'models', imported.id);
    expect(fs.readFileSync(path.join(folder, 'weights.bin')).equals(fs.readFileSync(path.join(importedFolder, 'weights.bin')))).toBe(true);
    expect(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')).toBe(fs.readFileSync(path.join(importedFolder, 'model.json'), 'utf8'));
    expect(lookupBackbone(EMBEDDER)).toMatchObject({ featureLayer: imported.featureLayer, pool: imported.pool });

    expect((await downloadBackbone({ backbone: EMBEDDER }, context)).alreadyPresent).toBe(true);
  }, 120_000);

  it('refuses a file whose bytes differ from the published one, and one cut short, leaving nothing behind', async () => {
    spoil = 'flip';
    await expect(downloadBackbone({ backbone: EMBEDDER }, context)).rejects.toThrow(/download of coral_mobilenet_v1_1\.0_224_quant_embedding_extractor is damaged: its SHA-256 is/);
    spoil = 'cut';
    await expect(downloadBackbone({ backbone: EMBEDDER }, context)).rejects.toThrow(/is damaged: it has 3250736 bytes, where the published file has 3251736/);
    expect(fs.readdirSync(path.join(temp.dir, 'models'))).toEqual([]);
  });

  it('says what to do without internet', async () => {
    process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:9/';
    await expect(downloadBackbone({ backbone: EMBEDDER }, context)).rejects.toThrow(
      /^Could not download MobileNetV1 1\.0 \(Coral, compact\) \(coral_mobilenet_v1_1\.0_224_quant_embedding_extractor\) from http:\/\/127\.0\.0\.1:9\/tflite\/.*\.tflite \(fetch failed: .*\)\. Without internet, copy its folder .* into .*models\/coral_mobilenet_v1_1\.0_224_quant_embedding_extractor, or start Graft with GRAFT_MODELS_DIR/,
    );
  });
});
