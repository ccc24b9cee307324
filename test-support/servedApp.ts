/**
 * The browser mode as users run it — `graft serve` in its own process — and raw HTTP requests to
 * it, byte for byte as a hostile page or a broken client would send them (no HTTP library in
 * between to tidy them up). A crash shows as the process exiting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { distPath } from '../src/node/paths';

export interface ServedApp {
  port: number;
  token: string;
  process: ChildProcess;
  /** What the process printed on stderr so far (a crash's stack). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function serveApp(home: string, args: string[] = []): Promise<ServedApp> {
  const child = spawn(process.execPath, [distPath('cli.cjs'), '--json', 'serve', '--port', '0', '--no-open', ...args], {
    env: { ...process.env, GRAFT_HOME: home, GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.join(home, 'models') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as { url: string; port: number });
      } catch {
        // not the whole document yet
      }
    });
    child.once('exit', (code) => reject(new Error(`graft serve exited (${code}) before listening: ${stderr}`)));
  });
  return {
    port: started.port,
    token: new URL(started.url).searchParams.get('token')!,
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface RawOptions {
  /** Close the connection right after writing (a client going away mid-request). */
  hangUp?: boolean;
  /** Give up waiting for an answer after this long (a hung server). */
  timeoutMs?: number;
}

/**
 * Sends `request` as it is over a fresh connection; resolves with the status line and body the
 * server answered (null when it answered nothing before closing, or the connection was hung up).
 */
export function rawRequest(port: number, request: string | Buffer, options: RawOptions = {}): Promise<{ status: number; head: string; body: string } | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer within ${options.timeoutMs ?? 5000} ms to ${JSON.stringify(request.toString().slice(0, 80))}`));
    }, options.timeoutMs ?? 5000);
    socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on('error', () => {}); // a reset after the answer is the server's right
    socket.on('close', () => {
      clearTimeout(timer);
      // Interim answers (100 Continue) come before the real one.
      const text = received.toString('latin1').replace(/^(HTTP\/1\.[01] 1\d\d[^\r]*\r\n\r\n)+/, '');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!match) return resolve(null);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(match[1]), head: text.slice(0, split), body: split >= 0 ? text.slice(split + 4) : '' });
    });
    socket.write(request, () => {
      if (options.hangUp) socket.destroy();
      else socket.end();
    });
  });
}

/** A plain, well-formed API call with the token: the proof that the server still answers. */
export async function stillAnswers(port: number, token: string): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-graft-token': token }, body: '{}' });
  return response.status === 200 && ((await response.json()) as { ok: boolean }).ok;
}
