import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir } from '../../../test-support/tempDir';
import { GraftService } from '../service/graftService';
import { distPath } from '../../node/paths';
import { forkWorker } from '../jobs/workerLauncher';
import { startServer, type GraftServer } from './httpServer';

let temp: ReturnType<typeof makeTempDir>;
let service: GraftService;
let server: GraftServer;
let base: string;

beforeEach(async () => {
  temp = makeTempDir();
  service = new GraftService({ kind: 'browser', launchWorker: forkWorker }, temp.dir);
  server = await startServer({ service, rendererDir: distPath('renderer') });
  base = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
  await service.shutdown();
  temp.remove();
});

const call = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graft-token': server.token, ...headers },
    body: JSON.stringify(body),
  });

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 only and prints an address with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers API calls that carry the token, with typed errors for bad input', async () => {
    expect(await (await call('projects.recent', {})).json()).toEqual({ ok: true, result: [] });
    expect(await (await call('projects.open', { path: 42 })).json()).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/^Invalid projects.open request: path:/) } });
    expect(await (await call('no.such', {})).json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await (await call('jobs.start', { kind: 'hashFolder', params: { folder: '/' } })).json()).toMatchObject({ ok: false, error: { code: 'no_project' } });
  });

  it('refuses requests without the right token', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await call('projects.recent', {}, { 'x-graft-token': 'wrong' })).status).toBe(401);
    const noToken = await fetch(`${base}/api/call/projects.recent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
  });

  it('refuses a foreign Host or Origin even with the token', async () => {
    expect((await call('projects.recent', {}, { origin: 'http://evil.example' })).status).toBe(403);
    const rebinding = await new Promise<number>((resolve) => {
      // fetch() will not send a forged Host header; a raw request can, as a DNS-rebinding page would.
      import('node:http').then(({ request }) => {
        const r = request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}`, 'x-graft-token': server.token } }, (res) => resolve(res.statusCode ?? 0));
        r.end();
      });
    });
    expect(rebinding).toBe(403);
  });

  it('serves the page with a strict CSP and sets the token cookie for its assets', async () => {
    const page = await fetch(`${base}/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(`${base}/favicon.svg`, { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
    expect((await fetch(`${base}/../package.json`, { headers: { cookie: cookie.split(';')[0] } })).status).toBe(404);
  });

  it('pushes events over a WebSocket that carries the token, and refuses one without it', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/events`;
    await expect(openSocket(url)).rejects.toThrow(/401/);
    await expect(openSocket(`${url}?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);

    const socket = await openSocket(`${url}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    const received = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    await call('projects.create', { path: path.join(temp.dir, 'events.graft') });
    expect(await received).toMatchObject({ event: 'project.changed', data: { name: 'events' } });
    socket.close();
  });
});
