/**
 * The browser mode's transport: requests as HTTP POSTs, pushed events over a WebSocket, both
 * carrying the per-launch token. Runs in the page (DOM), never in Node.
 */
import type { Transport } from '../../shared/api/client';
import { TOKEN_HEADER } from '../../shared/api/contract';
import { GraftError } from '../../shared/api/errors';

export function createHttpTransport(origin: string, token: string): Transport {
  const listeners = new Set<(message: unknown) => void>();
  let socket: WebSocket | null = null;
  let retryMs = 250;

  const connect = () => {
    const url = new URL('/api/events', origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', token);
    socket = new WebSocket(url);
    socket.onopen = () => (retryMs = 250);
    socket.onmessage = (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return;
      }
      for (const listener of listeners) listener(parsed);
    };
    // The main side may restart or the laptop may sleep: reconnect with a growing pause.
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };

  return {
    async invoke(method, params) {
      let response: Response;
      try {
        response = await fetch(new URL(`/api/call/${encodeURIComponent(method)}`, origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
          body: JSON.stringify(params ?? {}),
        });
      } catch {
        throw new GraftError('transport', 'Graft is not reachable. Is it still running?');
      }
      if (response.status === 401 || response.status === 403) {
        throw new GraftError('unauthorized', 'This page is not authorised. Open the address Graft printed when it started.');
      }
      return response.json();
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}
