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
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_HEADER, type WireEvent } from '../../shared/api/contract';
import { contentSecurityPolicy } from '../../shared/securityPolicy';
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

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refused = refuse(request, url);
    if (refused) {
      response.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders() });
      response.end(refused.reason);
      return;
    }
    if (url.pathname.startsWith('/api/call/')) {
      void handleCall(request, response, options.service, decodeURIComponent(url.pathname.slice('/api/call/'.length)));
      return;
    }
    if (/^\/(thumbs|photos|classified)\//.test(url.pathname)) {
      void resolveImageRequest(options.service, url.pathname).then((image) => {
        if (!image) {
          response.writeHead(404, securityHeaders()).end();
          return;
        }
        // Thumbnails are named by content hash, so they never change: let the browser keep them.
        const cache = url.pathname.startsWith('/thumbs/') ? 'private, max-age=31536000, immutable' : 'no-store';
        response.writeHead(200, { ...securityHeaders(), 'content-type': image.contentType, 'cache-control': cache });
        response.end(image.body);
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, securityHeaders()).end();
      return;
    }
    serveStatic(options.rendererDir, url.pathname, response, url.searchParams.has('token') ? token : undefined);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refused = url.pathname === '/api/events' ? refuse(request, url) : { status: 404, reason: 'Not found' };
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const unsubscribe = options.service.subscribe((event: WireEvent) => ws.send(JSON.stringify(event)));
      ws.on('close', unsubscribe);
      // This socket only pushes; anything sent to it is ignored.
    });
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

async function handleCall(request: http.IncomingMessage, response: http.ServerResponse, service: GraftService, method: string) {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...securityHeaders() });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'POST') return reply(405, { ok: false, error: { code: 'invalid_request', message: 'Use POST.' } });
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
    return reply(415, { ok: false, error: { code: 'invalid_request', message: 'Send JSON.' } });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return reply(413, { ok: false, error: { code: 'invalid_request', message: 'Request too large.' } });
    chunks.push(chunk as Buffer);
  }
  let params: unknown;
  try {
    params = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    return reply(400, { ok: false, error: { code: 'invalid_request', message: 'The request body is not valid JSON.' } });
  }
  reply(200, await service.call(method, params));
}

function serveStatic(root: string, pathname: string, response: http.ServerResponse, setCookieToken: string | undefined) {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders() });
    response.end('Not found');
    return;
  }
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    ...securityHeaders(),
  };
  // The page's own assets cannot carry the token in their URLs: the first visit with
  // ?token= sets it as an HttpOnly, same-site cookie that later requests carry.
  if (setCookieToken) headers['set-cookie'] = `${TOKEN_COOKIE}=${setCookieToken}; HttpOnly; SameSite=Strict; Path=/`;
  response.writeHead(200, headers);
  fs.createReadStream(file).pipe(response);
}
