/**
 * Graft's log: one file per installation, `<user data folder>/logs/graft.log`, so that a packaged
 * app leaves diagnostics behind — every job's start and end, every error with its stack, server
 * errors. It is capped: past MAX_LOG_BYTES the file is rotated to graft.log.1 (and .1 to .2), so
 * the log never takes more than KEPT_FILES × MAX_LOG_BYTES. The app, its CLI commands and the
 * browser-mode server of one installation append to the same file, one line (or one entry with its
 * stack) per write, with the writer's process id. Logging never throws: a full disk or a read-only
 * folder must not break the work being logged.
 */
import fs from 'node:fs';
import path from 'node:path';

export const MAX_LOG_BYTES = 1024 ** 2;
/** graft.log and its rotated predecessors graft.log.1, graft.log.2. */
export const KEPT_FILES = 3;
export const LOG_FILE_NAME = 'graft.log';

export type LogLevel = 'info' | 'warn' | 'error';

let folder: string | null = null;
let echo: NodeJS.WritableStream | null = null;

/** Where this process logs from now on (null: nowhere); set once by whoever starts the app. */
export function setLogFolder(dir: string | null): void {
  folder = dir === null ? null : path.resolve(dir);
}

/** `--verbose`: every entry is also written to this stream (the CLI's stderr). */
export function setLogEcho(stream: NodeJS.WritableStream | null): void {
  echo = stream;
}

/** The log file of this process, or null when it does not log to a file. */
export function logFilePath(): string | null {
  return folder === null ? null : path.join(folder, LOG_FILE_NAME);
}

/** The error's stack (or message), indented under the entry it belongs to. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export function formatEntry(level: LogLevel, message: string, error?: unknown, when = new Date()): string {
  const first = `${when.toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${message.replace(/\r?\n/g, ' ⏎ ')}`;
  return error === undefined ? `${first}\n` : `${first}\n${describeError(error)}\n`;
}

/** Moves graft.log to graft.log.1 (and .1 to .2…) once it is over the cap. */
function rotateIfFull(file: string, incoming: number): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // no file yet
  }
  if (size + incoming <= MAX_LOG_BYTES) return;
  for (let i = KEPT_FILES - 1; i >= 1; i--) {
    const from = i === 1 ? file : `${file}.${i - 1}`;
    try {
      fs.renameSync(from, `${file}.${i}`);
    } catch {
      // another process rotated it first, or there is no such file yet
    }
  }
}

export function log(level: LogLevel, message: string, error?: unknown): void {
  const entry = formatEntry(level, message, error);
  try {
    echo?.write(entry);
  } catch {
    // a closed stderr is no reason to fail
  }
  const file = logFilePath();
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    rotateIfFull(file, Buffer.byteLength(entry));
    // One append per entry (O_APPEND): entries of several Graft processes interleave whole.
    fs.appendFileSync(file, entry);
  } catch {
    // The log is a help, never a reason to fail.
  }
}

export const logInfo = (message: string): void => log('info', message);
export const logWarn = (message: string, error?: unknown): void => log('warn', message, error);
export const logError = (message: string, error?: unknown): void => log('error', message, error);

/** The log file and its last lines (the current file only), for "Show log". */
export function readLogTail(maxLines = 200): { file: string | null; lines: string[] } {
  const file = logFilePath();
  if (!file) return { file, lines: [] };
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      // The tail is enough: lines are short, and the whole file may be a megabyte.
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString('utf8');
      if (length < size) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { file, lines: [] };
  }
  return { file, lines: text.split('\n').filter((line) => line !== '').slice(-maxLines) };
}
