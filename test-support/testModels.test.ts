import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './tempDir';
import { testModelsDir } from './testModels';

// The catalogue's addresses, played by a mirror on 127.0.0.1 serving the backbones found locally
// (GRAFT_MODEL_MIRROR is how downloadBackbone is pointed elsewhere); `served` counts requests.
const ID = 'mobilenet_v2_0.35_224';
const source = await testModelsDir([ID]);
let server: http.Server;
let mirror: string;
let served = 0;
let temp: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    served++;
    const file = path.join(source, decodeURIComponent(new URL(request.url!, 'http://x').pathname));
    if (!file.startsWith(source) || !fs.existsSync(file)) return void response.writeHead(404).end();
    response.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => {
  delete process.env.GRAFT_MODEL_MIRROR;
  temp?.remove();
});

describe('the test backbones on a fresh clone', () => {
  it('downloads a backbone no local folder holds into the cache, and uses the cache from then on', async () => {
    temp = makeTempDir();
    const cache = path.join(temp.dir, 'cache');
    const modelsBefore = process.env.GRAFT_MODELS_DIR;
    process.env.GRAFT_MODEL_MIRROR = mirror;

    expect(await testModelsDir([ID], [path.join(temp.dir, 'empty')], cache)).toBe(cache);
    expect(fs.readFileSync(path.join(cache, ID, 'weights.bin')).equals(fs.readFileSync(path.join(source, ID, 'weights.bin')))).toBe(true);
    expect(process.env.GRAFT_MODELS_DIR).toBe(modelsBefore);

    const requests = served;
    process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:9/';
    expect(await testModelsDir([ID], [path.join(temp.dir, 'empty')], cache)).toBe(cache);
    expect(served).toBe(requests);
  });

  it('prefers a local folder holding the backbones to the cache', async () => {
    temp = makeTempDir();
    process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:9/';
    expect(await testModelsDir([ID], [path.join(temp.dir, 'empty'), source], path.join(temp.dir, 'cache'))).toBe(path.resolve(source));
    expect(fs.existsSync(path.join(temp.dir, 'cache'))).toBe(false);
  });

  it('says in one sentence what to do when no folder holds them and the download fails', async () => {
    temp = makeTempDir();
    const cache = path.join(temp.dir, 'cache');
    process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:9/';
    const failure = testModelsDir(['mobilenet_v1_0.25_224'], [path.join(temp.dir, 'empty')], cache);
    await expect(failure).rejects.toThrow(/^These tests need the pretrained backbones mobilenet_v1_0.25_224: .*downloading them into .*cache failed \(Could not download .*\)\. Run the tests once where there is internet, or set GRAFT_MODELS_DIR/);
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});
