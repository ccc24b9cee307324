/**
 * The browser mode's transport: serves the built renderer and the API over HTTP, and pushes
 * events over a WebSocket. Listens on 127.0.0.1 only; every request and socket must carry the
 * per-launch token, and Host and Origin must name this server (against DNS rebinding and
 * cross-site requests from other pages the user has open).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_HEADER, type WireEvent } from '../../shared/api/contract';
import { contentSecurityPolicy } from '../../shared/securityPolicy';
import { logError, logWarn } from '../../node/log';
import type { GraftService } from '../service/graftService';
import { resolveImageRequest } from './imageRoutes';

const TOKEN_COOKIE = 'graft_token';
const MAX_BODY_BYTES = 1 << 20;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface GraftServer {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  service: GraftService;
  rendererDir: string;
  port?: number;
  /** For tests; a random 32-byte token otherwise. */
  token?: string;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
}

export async function startServer(options: ServeOptions): Promise<GraftServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** Host and Origin name this server, and the token is present: or the reason it is refused. */
  const refuse = (request: http.IncomingMessage, url: URL): { status: number; reason: string } | null => {
    if (!allowedHosts().has(request.headers.host ?? '')) return { status: 403, reason: 'Unexpected Host header.' };
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return { status: 403, reason: 'Cross-origin requests are refused.' };
    const given = (request.headers[TOKEN_HEADER] as string | undefined) ?? url.searchParams.get('token') ?? cookieToken(request.headers.cookie);
    if (!sameToken(given, token)) return { status: 401, reason: 'Missing or wrong token. Open the address Graft printed when it started.' };
    return null;
  };

  const handleRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const url = requestUrl(request);
    if (!url) return plainAnswer(response, 400, 'The address is malformed.');
    const refused = refuse(request, url);
    if (refused) return plainAnswer(response, refused.status, refused.reason);
    const pathname = decodePath(url.pathname);
    if (pathname === null) {
      if (url.pathname.startsWith('/api/call/')) return jsonAnswer(response, 400, { ok: false, error: { code: 'invalid_request', message: 'The address is malformed (a bad %-escape).' } });
      return plainAnswer(response, 400, 'The address is malformed (a bad %-escape).');
    }
    if (pathname.startsWith('/api/call/')) {
      handleCall(request, response, options.service, pathname.slice('/api/call/'.length)).catch((error: unknown) => failed(request, response, error));
      return;
    }
    if (/^\/(thumbs|photos|classified)\//.test(pathname)) {
      resolveImageRequest(options.service, pathname).then((image) => {
        if (!image) return void response.writeHead(404, securityHeaders()).end();
        // Thumbnails are named by content hash, so they never change: let the browser keep them.
        const cache = pathname.startsWith('/thumbs/') ? 'private, max-age=31536000, immutable' : 'no-store';
        response.writeHead(200, { ...securityHeaders(), 'content-type': image.contentType, 'cache-control': cache });
        response.end(image.body);
      }, (error: unknown) => failed(request, response, error));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, securityHeaders()).end();
    serveStatic(options.rendererDir, pathname, response, url.searchParams.has('token') ? token : undefined);
  };

  const server = http.createServer((request, response) => {
    // A client may go away at any moment: its request and response then emit errors that
    // concern nobody but it (ECONNRESET); unheard, they would end the whole process.
    request.on('error', () => {});
    response.on('error', () => {});
    try {
      handleRequest(request, response);
    } catch (error) {
      failed(request, response, error);
    }
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a client gone before the handshake ended
    try {
      const url = requestUrl(request);
      const refused = url === null ? { status: 400, reason: 'Malformed address' } : url.pathname === '/api/events' ? refuse(request, url) : { status: 404, reason: 'Not found' };
      if (refused) {
        socket.end(`HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${refused.reason}`);
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
        const unsubscribe = options.service.subscribe((event: WireEvent) => ws.send(JSON.stringify(event)));
        ws.on('close', unsubscribe);
        // This socket only pushes; anything sent to it is ignored. A client that breaks the
        // protocol (a frame over the limit, garbage) has its socket closed by ws, and that is all.
        ws.on('error', (error) => logWarn(`An event socket was closed for breaking the protocol: ${error.message}`));
      });
    } catch (error) {
      logError(`The browser-mode server failed on an event socket request for ${String(request.url).slice(0, 200)}`, error);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request's address, or null when it cannot be parsed (a request line no browser sends). */
function requestUrl(request: http.IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** The path with its %-escapes decoded, or null when they do not decode (%c0, a lone %). */
function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

function answer(response: http.ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), ...securityHeaders() });
  response.end(text);
}

const plainAnswer = (response: http.ServerResponse, status: number, text: string) => answer(response, status, 'text/plain; charset=utf-8', text);
const jsonAnswer = (response: http.ServerResponse, status: number, body: unknown) => answer(response, status, 'application/json; charset=utf-8', JSON.stringify(body));

/** Anything unexpected while answering: logged with its stack, answered 500 if still possible; the server goes on. */
function failed(request: http.IncomingMessage, response: http.ServerResponse, error: unknown): void {
  logError(`The browser-mode server failed to answer ${request.method} ${String(request.url).slice(0, 200)}`, error);
  if (response.headersSent) response.destroy();
  else jsonAnswer(response, 500, { ok: false, error: { code: 'internal', message: 'Graft could not answer this request; the details are in its log.' } });
}

/** The request body, or null when the client went away before sending it all. */
async function readBody(request: http.IncomingMessage): Promise<Buffer | 'too large' | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return 'too large';
      chunks.push(chunk as Buffer);
    }
  } catch {
    return null; // ECONNRESET, aborted: nobody is left to answer
  }
  return Buffer.concat(chunks);
}

async function handleCall(request: http.IncomingMessage, response: http.ServerResponse, service: GraftService, method: string) {
  const reply = (status: number, body: unknown) => jsonAnswer(response, status, body);
  if (request.method !== 'POST') return reply(405, { ok: false, error: { code: 'invalid_request', message: 'Use POST.' } });
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
    return reply(415, { ok: false, error: { code: 'invalid_request', message: 'Send JSON.' } });
  }
  const body = await readBody(request);
  if (body === null) return;
  if (body === 'too large') return reply(413, { ok: false, error: { code: 'invalid_request', message: 'Request too large.' } });
  let params: unknown;
  try {
    params = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return reply(400, { ok: false, error: { code: 'invalid_request', message: 'The request body is not valid JSON.' } });
  }
  reply(200, await service.call(method, params));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false; // absent, a NUL in the name, a name too long, a file used as a folder…
  }
}

/** A file of the built renderer; `pathname` is already decoded. */
function serveStatic(root: string, pathname: string, response: http.ServerResponse, setCookieToken: string | undefined) {
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep) || !isFile(file)) {
    return plainAnswer(response, 404, 'Not found');
  }
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    ...securityHeaders(),
  };
  // The page's own assets cannot carry the token in their URLs: the first visit with
  // ?token= sets it as an HttpOnly, same-site cookie that later requests carry.
  if (setCookieToken) headers['set-cookie'] = `${TOKEN_COOKIE}=${setCookieToken}; HttpOnly; SameSite=Strict; Path=/`;
  const stream = fs.createReadStream(file);
  stream.once('open', () => {
    response.writeHead(200, headers);
    stream.pipe(response);
  });
  stream.once('error', (error) => {
    if (response.headersSent) return void response.destroy();
    logWarn(`Could not serve ${file}`, error);
    plainAnswer(response, 404, 'Not found');
  });
}
