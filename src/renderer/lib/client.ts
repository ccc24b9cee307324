/**
 * The renderer's one client. In Electron the preload has exposed an IPC transport; in the
 * browser mode the page talks HTTP/WebSocket to the server that served it. Nothing else in the
 * renderer knows which.
 */
import { createClient, type GraftClient, type Transport } from '../../shared/api/client';
import { createHttpTransport } from './httpTransport';

declare global {
  interface Window {
    graftTransport?: Transport;
  }
}

const TOKEN_KEY = 'graft.token';

function browserToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // Keep the token out of the address bar, history and screenshots.
    url.searchParams.delete('token');
    history.replaceState(null, '', url);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export const client: GraftClient = createClient(window.graftTransport ?? createHttpTransport(window.location.origin, browserToken()));
