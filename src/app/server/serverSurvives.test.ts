/**
 * Requests that once took the browser-mode server down, sent to `graft serve` in its own process:
 * after each, the process must still be running and answer a plain API call (a fresh server per
 * test, so that one fault cannot hide another).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir } from '../../../test-support/tempDir';
import { rawRequest, serveApp, stillAnswers, type ServedApp } from '../../../test-support/servedApp';

let temp: ReturnType<typeof makeTempDir>;
let app: ServedApp;

beforeEach(async () => {
  temp = makeTempDir();
  app = await serveApp(temp.dir);
});
afterEach(async () => {
  await app.stop();
  temp.remove();
});

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const host = () => `Host: 127.0.0.1:${app.port}`;

async function expectAlive(): Promise<void> {
  // A crash takes a moment to end the process: look after a plain request has been answered.
  expect(await stillAnswers(app.port, app.token)).toBe(true);
  expect(app.process.exitCode, app.stderr()).toBeNull();
}

describe('the browser-mode server survives', () => {
  it('a malformed percent-escape in a page address, sent with the cookie as an <img> on another local port would', async () => {
    const answer = await rawRequest(app.port, head([`GET /%c0%ae HTTP/1.1`, host(), `Cookie: graft_token=${app.token}`, 'Connection: close']));
    expect(answer?.status).toBe(400);
    await expectAlive();
  });

  it('a malformed percent-escape in an API method name', async () => {
    const body = '{}';
    const answer = await rawRequest(app.port, head([`POST /api/call/%c0 HTTP/1.1`, host(), `x-graft-token: ${app.token}`, 'content-type: application/json', `content-length: ${body.length}`, 'Connection: close']) + body);
    expect(answer?.status).toBe(400);
    expect(JSON.parse(answer!.body)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    await expectAlive();
  });

  it('a client that goes away in the middle of a request body', async () => {
    const request = head([`POST /api/call/projects.recent HTTP/1.1`, host(), `x-graft-token: ${app.token}`, 'content-type: application/json', 'content-length: 100000']) + '{"a":"';
    for (let i = 0; i < 3; i++) expect(await rawRequest(app.port, request, { hangUp: true })).toBeNull();
    await expectAlive();
  });

  it('an event socket that sends garbage frames, or too much', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${app.port}/api/events?token=${app.token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    socket.send(Buffer.alloc(2 << 20)); // over the socket's limit: the server must close it, not crash
    await closed;
    await expectAlive();
  });

  it('says 403 Forbidden or 404 Not Found, not "404 Forbidden", when it refuses a socket', async () => {
    const upgrade = (path: string, extra: string[] = []) =>
      rawRequest(app.port, head([`GET ${path} HTTP/1.1`, host(), 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', ...extra]));
    expect((await upgrade(`/elsewhere?token=${app.token}`))?.head).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect((await upgrade(`/api/events?token=${app.token}`, ['Origin: http://evil.example']))?.head).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect((await upgrade('/api/events'))?.head).toMatch(/^HTTP\/1\.1 401 Unauthorized/);
    expect((await upgrade('/api/%c0'))?.head).toMatch(/^HTTP\/1\.1 404 Not Found/);
    await expectAlive();
  });
});
