/**
 * The Content-Security-Policy of Graft's user interface, the same in Electron and the browser
 * mode: only Graft's own scripts, styles and images, no inline script, no remote anything.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // 'self' covers the WebSocket of the same host and port in the browser mode.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
