import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { downloadBackbone } from './downloadBackbone';
import { testModelsDir } from '../../../test-support/testModels';
import type { JobContext } from '../../shared/jobs/jobContext';

// A local mirror on 127.0.0.1 serving the real models beside the project; `damage` truncates weights.
const sharedModels = await testModelsDir(['mobilenet_v2_0.35_224', 'mobilenet_v1_0.75_224']);
let temp: ReturnType<typeof makeTempDir>;
let server: http.Server;
let damage = false;
/** Changes one byte of a weight file, keeping its size: only a checksum can tell. */
let flipByte = false;
const progress: number[] = [];
const context: JobContext = { signal: new AbortController().signal, progress: (done) => void progress.push(done) };

beforeEach(async () => {
  temp = makeTempDir();
  damage = false;
  flipByte = false;
  server = http.createServer((request, response) => {
    const file = path.join(sharedModels, decodeURIComponent(new URL(request.url!, 'http://x').pathname));
    if (!file.startsWith(sharedModels) || !fs.existsSync(file)) return void response.writeHead(404).end();
    const bytes = fs.readFileSync(file);
    if (flipByte && file.endsWith('group7-shard1of1')) bytes[10] ^= 0xff;
    response.end(damage && !file.endsWith('.json') ? bytes.subarray(0, bytes.length - 100) : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.GRAFT_MODEL_MIRROR = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  process.env.GRAFT_MODELS_DIR = path.join(temp.dir, 'models');
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  delete process.env.GRAFT_MODEL_MIRROR;
  temp.remove();
});

describe('backbone download', () => {
  it('downloads a backbone with progress, checks its size, and puts it where Graft finds it', async () => {
    const result = await downloadBackbone({ backbone: 'mobilenet_v2_0.35' }, context);
    const folder = path.join(temp.dir, 'models', 'mobilenet_v2_0.35_224');
    expect(result).toMatchObject({ backbone: 'mobilenet_v2_0.35_224', folder, alreadyPresent: false });
    expect(fs.readFileSync(path.join(folder, 'weights.bin')).equals(fs.readFileSync(path.join(sharedModels, 'mobilenet_v2_0.35_224', 'weights.bin')))).toBe(true);
    expect(progress.at(-1)).toBe(fs.statSync(path.join(folder, 'weights.bin')).size);
    expect((await downloadBackbone({ backbone: 'mobilenet_v2_0.35' }, context)).alreadyPresent).toBe(true);
  });

  it('refuses a damaged download and leaves no model behind', async () => {
    damage = true;
    await expect(downloadBackbone({ backbone: 'mobilenet_v2_0.35' }, context)).rejects.toThrow(/damaged/);
    expect(fs.readdirSync(path.join(temp.dir, 'models'))).toEqual([]);
  });

  it('checks every file of a backbone the catalogue has checksums for, and saves its licence beside it', async () => {
    const result = await downloadBackbone({ backbone: 'mobilenet_v1_0.75' }, context);
    expect(result).toMatchObject({ alreadyPresent: false, verifiedBy: 'sha256', licence: 'Apache-2.0' });
    expect(fs.readFileSync(path.join(result.folder, 'LICENSE.txt'), 'utf8')).toMatch(/Licence: Apache-2\.0 \(https:\/\/www\.apache\.org\/licenses\/LICENSE-2\.0\)/);
    expect((await downloadBackbone({ backbone: 'mobilenet_v2_0.35' }, context)).verifiedBy).toBe('size');
  });

  it('refuses a file whose bytes differ from the published one even when its size is right', async () => {
    flipByte = true;
    await expect(downloadBackbone({ backbone: 'mobilenet_v1_0.75' }, context)).rejects.toThrow(/damaged: group7-shard1of1 .* SHA-256/);
    expect(fs.readdirSync(path.join(temp.dir, 'models'))).toEqual([]);
  });

  it('says what to do when the address cannot be reached', async () => {
    process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:9/';
    await expect(downloadBackbone({ backbone: 'mobilenet_v1_0.25' }, context)).rejects.toThrow(/^Could not download MobileNetV1 0\.25 \(mobilenet_v1_0\.25_224\) from http:\/\/127.0.0.1:9\/mobilenet_v1_0.25_224\/model.json \(fetch failed: .*\)\. Without internet, copy its folder .* into .*, or start Graft with GRAFT_MODELS_DIR set to a models folder that holds it\.$/);
  });
});
