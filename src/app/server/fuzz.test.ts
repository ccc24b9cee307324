/**
 * Fuzzing the browser-mode server (the real `startServer` over a real GraftService): every API
 * method with random and malformed arguments, then malformed addresses, headers and bodies sent
 * as raw bytes. The server must stay up, and every answer must be a clean error — JSON
 * `{ ok: false, error: { code, message } }` with a code that is not `internal`, or a plain 4xx —
 * never a 5xx, a crash or a hang. Bounded in count and time, and seeded: GRAFT_FUZZ_SEED=<n>
 * replays a run (the seed is in every failure message).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName, type Params } from '../../shared/api/contract';
import { JobRequest } from '../../shared/jobs/registry';
import { writeJpeg } from '../../../test-support/imageFixtures';
import { rawRequest, stillAnswers } from '../../../test-support/servedApp';
import { makeTempDir } from '../../../test-support/tempDir';
import { createProject } from '../../node/data/project';
import { distPath } from '../../node/paths';
import { forkWorker } from '../jobs/workerLauncher';
import { GraftService } from '../service/graftService';
import { startServer, type GraftServer } from './httpServer';
import { until } from '../../../test-support/until';

const SEED = Number(process.env.GRAFT_FUZZ_SEED ?? 14);
const MAX_CALLS = 1500;
const MAX_SECONDS = 20;
/** Real jobs (each a worker process) the fuzzer may start; past this, job requests are kept invalid. */
const MAX_JOBS = 4;

/** mulberry32: a small seeded generator, so that a failing run can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

let temp: ReturnType<typeof makeTempDir>;
let service: GraftService;
let server: GraftServer;
let projectFile: string;
let photosDir: string;
let previousCwd: string;
const previousEnv = { models: process.env.GRAFT_MODELS_DIR, mirror: process.env.GRAFT_MODEL_MIRROR };
const at = (...parts: string[]) => path.join(temp.dir, ...parts);

beforeAll(async () => {
  temp = makeTempDir('graft-fuzz-');
  // Relative paths the fuzzer invents land in the sandbox; no backbones and an unreachable mirror,
  // so that a job it manages to start fails fast instead of computing or downloading.
  fs.mkdirSync(at('cwd'));
  previousCwd = process.cwd();
  process.chdir(at('cwd'));
  process.env.GRAFT_MODELS_DIR = at('models');
  process.env.GRAFT_MODEL_MIRROR = 'http://127.0.0.1:1/';
  photosDir = at('photos');
  await writeJpeg(path.join(photosDir, 'red', 'a.jpg'), { r: 200, g: 10, b: 10 });
  await writeJpeg(path.join(photosDir, 'blue', 'b.jpg'), { r: 10, g: 10, b: 200 });
  execFileSync('mkfifo', [at('fifo.graft')]);
  // A project with classification results (as a classify job leaves them), so that the results methods have something to read.
  projectFile = at('project.graft');
  const project = createProject(projectFile);
  const classifierId = project.stores.classified.ensureClassifier({ identity: 'fuzz', runId: null, name: 'fuzz', labels: ['red', 'blue'] });
  project.stores.classified.sink(classifierId).write([
    { path: path.join(photosDir, 'red', 'a.jpg'), size: 1, mtimeMs: 1, hash: null, top: [[0, 0.9], [1, 0.1]], error: null },
    { path: path.join(photosDir, 'missing.jpg'), size: 1, mtimeMs: 1, hash: null, top: null, error: 'the file disappeared' },
  ]);
  project.close();

  service = new GraftService({ kind: 'browser', launchWorker: forkWorker }, at('home'));
  server = await startServer({ service, rendererDir: distPath('renderer') });
  await service.openProject(projectFile);
  const started = await service.call('jobs.start', { kind: 'import', params: { folders: [photosDir], folderLabels: true } });
  expect(started.ok).toBe(true);
  await until(async () => {
    const jobs = await service.call('jobs.list', {});
    return jobs.ok && (jobs.result as { state: string }[]).every((j) => j.state !== 'running' && j.state !== 'queued');
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await service?.shutdown();
  process.chdir(previousCwd);
  process.env.GRAFT_MODELS_DIR = previousEnv.models;
  process.env.GRAFT_MODEL_MIRROR = previousEnv.mirror;
  if (previousEnv.models === undefined) delete process.env.GRAFT_MODELS_DIR;
  if (previousEnv.mirror === undefined) delete process.env.GRAFT_MODEL_MIRROR;
  temp?.remove();
});

/** A well-formed request per method, which the fuzzer then breaks. Typed: a new method must be added here. */
function examples(): { [M in MethodName]: () => Params<M> } {
  let n = 0;
  return {
    'app.info': () => ({}),
    'app.log': () => ({}),
    'projects.recent': () => ({}),
    'projects.current': () => ({}),
    'projects.create': () => ({ path: at(`fuzz-${n++}.graft`), name: 'Fuzz' }),
    'projects.open': () => ({ path: projectFile }),
    'projects.close': () => ({}),
    'projects.forget': () => ({ path: projectFile }),
    'dialog.chooseProjectFile': () => ({ mode: 'open' }),
    'dialog.chooseFolder': () => ({}),
    'library.summary': () => ({}),
    'library.page': () => ({ sort: 'name', offset: 0, limit: 10 }),
    'library.ids': () => ({ classId: 'unlabelled' }),
    'library.idsForPaths': () => ({ paths: [path.join(photosDir, 'red', 'a.jpg')] }),
    'classes.create': () => ({ name: `class ${n++}`, color: '#2f7d5b' }),
    'classes.update': () => ({ id: 1, name: `renamed ${n++}` }),
    'classes.merge': () => ({ from: 2, into: 1 }),
    'classes.delete': () => ({ id: 3 }),
    'classes.reorder': () => ({ ids: [2, 1] }),
    'labels.set': () => ({ imageIds: [1, 2], classId: 1 }),
    'suggestions.accept': () => ({ imageIds: [1] }),
    'labels.undo': () => ({}),
    'labels.redo': () => ({}),
    'splits.pin': () => ({ imageIds: [1], split: 'test' }),
    'splits.configure': () => ({ train: 0.7, validation: 0.15, test: 0.15, seed: 1 }),
    'backbones.list': () => ({}),
    'runs.list': () => ({}),
    'runs.predictions': () => ({ runId: 1 }),
    'runs.latestComparison': () => ({}),
    'train.choices': () => ({}),
    'train.setChoices': () => ({ epochs: 30, scratchEpochs: 7 }),
    'classify.classifiers': () => ({}),
    'classify.summary': () => ({ classifierId: 1, threshold: 0.5 }),
    'classify.results': () => ({ classifierId: 1, label: 'red' }),
    'classify.plan': () => ({ filter: { classifierId: 1 }, action: 'copy', target: at('sorted') }),
    'jobs.list': () => ({}),
    'jobs.start': () => ({ kind: 'hashFolder', params: { folder: photosDir } }),
    'jobs.cancel': () => ({ id: 1 }),
    'jobs.retry': () => ({ id: 1 }),
    'settings.get': () => ({}),
    'settings.set': () => ({ compute: 'cpu' }),
    'library.classSplits': () => ({}),
    'photos.details': () => ({ imageId: 1 }),
    'classify.setThreshold': () => ({ classifierId: 1, threshold: 0.7 }),
    'classify.addToLibrary': () => ({ ids: [1], label: 'red' }),
    'tryIt.predict': () => ({ runId: 1 }),
    'files.list': () => ({ folder: photosDir, extensions: ['jpg'] }),
    'files.places': () => ({}),
    'files.remember': () => ({ path: photosDir }),
    'dialog.chooseFile': () => ({ title: 'A file' }),
    'dialog.chooseSaveLocation': () => ({ defaultName: 'x.csv' }),
    'dialog.reveal': () => ({ path: photosDir }),
  };
}

function fuzzer(seed: number) {
  const random = generator(seed);
  const strings = [
    '', ' ', 'a', 'x'.repeat(70_000), '🦜', '%c0', '\u0000', '\ud800', '../'.repeat(12) + 'etc/passwd', '/', 'C:\\Windows', 'robin', '#ff0000', 'train', 'unknown', 'error',
    'csv', 'json', 'move', 'hashFolder', 'import', 'null', '-1', '<script>alert(1)</script>', at('nope'), at('fifo.graft'), () => projectFile, () => photosDir, at('out.csv'),
  ];
  const numbers = [0, -1, 1, 2, 3, 0.5, -0, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324, 1e21];
  const keys = ['path', 'name', 'id', 'ids', 'imageIds', 'classId', 'kind', 'params', 'folder', 'folders', 'filter', 'action', 'target', 'overwrite', 'scope', '__proto__', 'constructor', 'offset', 'limit', 'runId', 'classifierId'];
  const string = () => {
    const s = random.pick(strings);
    return typeof s === 'function' ? s() : s;
  };
  const value = (depth = 0): unknown => {
    switch (random.int(depth > 3 ? 4 : 7)) {
      case 0:
        return null;
      case 1:
        return random.next() < 0.5;
      case 2:
        return random.pick(numbers);
      case 3:
        return string();
      case 4:
        return Array.from({ length: random.int(5) }, () => value(depth + 1));
      case 5:
        return Object.fromEntries(Array.from({ length: random.int(4) }, () => [random.pick(keys), value(depth + 1)]));
      default: {
        // Very deep nesting.
        let nested: unknown = 1;
        for (let i = 0; i < 2000; i++) nested = [nested];
        return nested;
      }
    }
  };
  const badNames = ['', '__proto__', 'constructor', 'toString', 'app.info ', 'APP.INFO', 'app.info/../projects.open', 'jobs', '🦜', 'hasOwnProperty'];

  /** One request: a method and its parameters, broken in one of several ways. */
  const request = (make: () => unknown, method: string): { method: string; params: unknown } => {
    const valid = make() as Record<string, unknown>;
    const keysOf = Object.keys(valid);
    switch (random.int(7)) {
      case 0:
        return { method, params: valid };
      case 1:
        if (!keysOf.length) return { method, params: value() };
        return { method, params: { ...valid, [random.pick(keysOf)]: value() } };
      case 2:
        if (!keysOf.length) return { method, params: { [random.pick(keys)]: value() } };
        return { method, params: Object.fromEntries(Object.entries(valid).filter(([k]) => k !== random.pick(keysOf))) };
      case 3:
        return { method, params: { ...valid, [random.pick(keys)]: value() } };
      case 4:
        return { method, params: value() };
      case 5:
        return { method: random.pick(badNames), params: valid };
      default: {
        // Nested: replace something one level down (jobs.start params, classify.plan filter).
        const inner = keysOf.find((k) => typeof valid[k] === 'object' && valid[k] !== null && !Array.isArray(valid[k]));
        if (!inner) return { method, params: { ...valid, [random.pick(keys)]: value() } };
        const innerValue = valid[inner] as Record<string, unknown>;
        const innerKeys = Object.keys(innerValue);
        return { method, params: { ...valid, [inner]: { ...innerValue, [innerKeys.length ? random.pick(innerKeys) : random.pick(keys)]: value() } } };
      }
    }
  };
  return { random, value, request };
}

/** What a clean answer is: a 4xx, or a 200 carrying a typed result or a typed error that is not an internal failure. */
async function checkAnswer(response: Response, what: string): Promise<{ ok: boolean; code?: string }> {
  const text = await response.text();
  expect(response.status, `${what} → ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status !== 200) return { ok: false };
  const body = JSON.parse(text) as { ok: boolean; result?: unknown; error?: { code: unknown; message: unknown } };
  if (body.ok) return { ok: true };
  expect(body.error, `${what} → ${text.slice(0, 300)}`).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/\S/) });
  expect(body.error!.code, `${what} → ${text.slice(0, 300)}`).not.toBe('internal');
  return { ok: false, code: body.error!.code as string };
}

describe(`fuzzing the browser-mode server (seed ${SEED})`, () => {
  it('answers every API method, called with random and broken arguments, with a result or a clean error', async () => {
    const { random, request } = fuzzer(SEED);
    const make = examples();
    const names = Object.keys(methods) as MethodName[];
    expect(names.sort()).toEqual(Object.keys(make).sort());
    let jobsStarted = 0;
    const tally = { calls: 0, ok: 0, refused: new Map<string, number>() };
    const started = Date.now();
    for (let i = 0; i < MAX_CALLS && Date.now() - started < MAX_SECONDS * 1000; i++) {
      const method = random.pick(names);
      let call = request(make[method] as () => unknown, method);
      // Keep the number of real jobs small: past the budget, a request that would start one is broken further.
      const startsJob = (call.method === 'jobs.start' && JobRequest.safeParse(call.params).success) || call.method === 'jobs.retry';
      if (startsJob && jobsStarted >= MAX_JOBS) call = { method: call.method, params: { kind: 'no such job' } };
      const body = JSON.stringify(call.params);
      const what = `seed ${SEED}, call ${i}: ${call.method} ${body.slice(0, 300)}`;
      const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${encodeURIComponent(call.method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-graft-token': server.token },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = await checkAnswer(response, what);
      if (answer.ok && (call.method === 'jobs.start' || call.method === 'jobs.retry')) jobsStarted++;
      tally.calls++;
      if (answer.ok) tally.ok++;
      else tally.refused.set(answer.code ?? String(response.status), (tally.refused.get(answer.code ?? String(response.status)) ?? 0) + 1);
    }
    console.log(`Fuzzed ${tally.calls} API calls in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}): ${tally.ok} succeeded, refused: ${[...tally.refused].map(([code, count]) => `${code} ${count}`).join(', ')}; ${jobsStarted} jobs started.`);
    // Both kinds must have happened, or the fuzzer tested nothing.
    expect(tally.ok).toBeGreaterThan(tally.calls / 20);
    expect(tally.refused.get('invalid_request') ?? 0).toBeGreaterThan(tally.calls / 10);
    expect(await stillAnswers(server.port, server.token)).toBe(true);
  }, 60_000);

  it('answers malformed addresses, headers and bodies with a 4xx (or closes the connection), and keeps answering', async () => {
    const port = server.port;
    const token = server.token;
    const host = `Host: 127.0.0.1:${port}`;
    const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
    const call = (method: string, headers: string[], body: string) =>
      head([`POST /api/call/${method} HTTP/1.1`, host, `x-graft-token: ${token}`, `content-length: ${Buffer.byteLength(body)}`, 'Connection: close', ...headers]) + body;
    const json = 'content-type: application/json';
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const requests: { name: string; bytes: string | Buffer; hangUp?: boolean; expect?: number }[] = [
      { name: 'bad escape, with the cookie', bytes: head([`GET /%c0%ae HTTP/1.1`, host, `Cookie: graft_token=${token}`, 'Connection: close']), expect: 400 },
      { name: 'lone %', bytes: head([`GET /% HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 400 },
      { name: 'truncated escape in a method', bytes: call('%E0%A4%A', [json], '{}'), expect: 400 },
      { name: 'NUL in the path', bytes: head([`GET /index.html%00.js HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'encoded traversal', bytes: head([`GET /..%2f..%2fpackage.json HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'a file used as a folder', bytes: head([`GET /index.html/x HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'very long name', bytes: head([`GET /${'a'.repeat(5000)} HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'huge photo id', bytes: head([`GET /photos/99999999999999999999999.jpg HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'classified photo 0', bytes: head([`GET /classified/0.jpg HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'thumbnail traversal', bytes: head([`GET /thumbs/..%2f..%2fp.graft HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 404 },
      { name: 'no content type', bytes: call('app.info', [], '{}'), expect: 415 },
      { name: 'wrong content type', bytes: call('app.info', ['content-type: text/plain'], '{}'), expect: 415 },
      { name: 'GET on the API', bytes: head([`GET /api/call/app.info HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 405 },
      { name: 'PUT on a page', bytes: head([`PUT / HTTP/1.1`, host, `x-graft-token: ${token}`, 'content-length: 0', 'Connection: close']), expect: 405 },
      { name: 'OPTIONS *', bytes: head([`OPTIONS * HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 405 },
      { name: 'invalid JSON', bytes: call('app.info', [json], '{"a":'), expect: 400 },
      { name: 'not UTF-8', bytes: Buffer.concat([Buffer.from(call('projects.open', [json], '').replace('content-length: 0', 'content-length: 12')), Buffer.from([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xc0, 0xae, 0xff, 0x22, 0x7d, 0x20])]) },
      { name: 'JSON null', bytes: call('projects.open', [json], 'null'), expect: 200 },
      { name: 'JSON array', bytes: call('projects.open', [json], '[]'), expect: 200 },
      { name: 'JSON number out of range', bytes: call('labels.set', [json], '{"imageIds":[1e999],"classId":null}'), expect: 200 },
      { name: 'deeply nested JSON', bytes: call('app.info', [json], deep) },
      { name: 'unknown method on the prototype', bytes: call('__proto__', [json], '{}'), expect: 200 },
      { name: 'constructor', bytes: call('constructor', [json], '{}'), expect: 200 },
      { name: 'empty method', bytes: call('', [json], '{}'), expect: 200 },
      { name: 'body over the limit', bytes: call('app.info', [json], `{"x":"${'a'.repeat(1_100_000)}"}`), expect: 413 },
      { name: 'body shorter than announced', bytes: head([`POST /api/call/app.info HTTP/1.1`, host, `x-graft-token: ${token}`, json, 'content-length: 50']) + '{}', hangUp: true },
      { name: 'bad chunk size', bytes: head([`POST /api/call/app.info HTTP/1.1`, host, `x-graft-token: ${token}`, json, 'Transfer-Encoding: chunked', 'Connection: close']) + 'zz\r\n{}\r\n0\r\n\r\n', expect: 400 },
      { name: 'length and chunked', bytes: head([`POST /api/call/app.info HTTP/1.1`, host, `x-graft-token: ${token}`, json, 'Transfer-Encoding: chunked', 'content-length: 2', 'Connection: close']) + '2\r\n{}\r\n0\r\n\r\n', expect: 400 },
      { name: 'headers too large', bytes: head([`GET / HTTP/1.1`, host, `x-graft-token: ${token}`, `x-big: ${'b'.repeat(20_000)}`, 'Connection: close']), expect: 431 },
      { name: 'no Host (HTTP/1.0)', bytes: head([`GET / HTTP/1.0`, `x-graft-token: ${token}`]), expect: 403 },
      { name: 'Host of another port', bytes: head([`GET / HTTP/1.1`, `Host: 127.0.0.1:${port + 1}`, `x-graft-token: ${token}`, 'Connection: close']), expect: 403 },
      { name: 'two tokens', bytes: head([`GET / HTTP/1.1`, host, `x-graft-token: ${token}`, `x-graft-token: ${token}`, 'Connection: close']), expect: 401 },
      { name: 'garbage cookie', bytes: head([`GET / HTTP/1.1`, host, 'Cookie: ;;==;graft_token;graft_token==', 'Connection: close']), expect: 401 },
      { name: 'non-latin1 header', bytes: Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\n${host}\r\nx-graft-token: `), Buffer.from('jeton🦜', 'utf8'), Buffer.from('\r\nConnection: close\r\n\r\n')]), expect: 401 },
      { name: 'absolute-form address', bytes: head([`GET http://127.0.0.1:${port}/%c0 HTTP/1.1`, host, `x-graft-token: ${token}`, 'Connection: close']), expect: 400 },
      { name: 'Expect: 100-continue', bytes: call('app.info', [json, 'Expect: 100-continue'], '{}'), expect: 200 },
      { name: 'socket with a bad key', bytes: head([`GET /api/events?token=${token} HTTP/1.1`, host, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: nope']), expect: 400 },
      { name: 'upgrade to something else', bytes: head([`GET /api/events?token=${token} HTTP/1.1`, host, 'Upgrade: h2c', 'Connection: Upgrade']), expect: 400 },
      { name: 'upgrade, bad escape', bytes: head([`GET /api/%c0?token=${token} HTTP/1.1`, host, 'Upgrade: websocket', 'Connection: Upgrade']), expect: 404 },
      { name: 'headers cut short', bytes: `GET / HTTP/1.1\r\n${host}\r\nx-graft-`, hangUp: true },
    ];
    const { random } = fuzzer(SEED);
    for (let i = 0; i < 40; i++) requests.push({ name: `random bytes ${i}`, bytes: Buffer.from(Array.from({ length: 1 + random.int(300) }, () => random.int(256))), hangUp: random.next() < 0.3 });

    for (const r of requests) {
      const answer = await rawRequest(port, r.bytes, { hangUp: r.hangUp, timeoutMs: 10_000 });
      if (r.expect !== undefined) expect(answer?.status, `seed ${SEED}: ${r.name} → ${answer?.head}`).toBe(r.expect);
      else if (answer) expect(answer.status, `seed ${SEED}: ${r.name} → ${answer.head}`).toBeLessThan(500);
      if (answer?.status === 200 && /application\/json/.test(answer.head)) {
        const body = JSON.parse(answer.body) as { ok: boolean; error?: { code: string } };
        expect(body.ok || body.error?.code !== 'internal', `seed ${SEED}: ${r.name} → ${answer.body.slice(0, 300)}`).toBe(true);
      }
    }
    expect(await stillAnswers(port, token)).toBe(true);
  }, 60_000);
});
