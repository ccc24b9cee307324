import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test-support/tempDir';
import { KEPT_FILES, LOG_FILE_NAME, MAX_LOG_BYTES, logError, logFilePath, logInfo, readLogTail, setLogEcho, setLogFolder } from './log';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
  setLogFolder(path.join(temp.dir, 'logs'));
});
afterEach(() => {
  setLogFolder(null);
  setLogEcho(null);
  temp.remove();
});

describe('the log file', () => {
  it('appends dated entries with the process id, and an error with its stack indented under it', () => {
    logInfo('Job #1 import started.');
    logError('Job #1 import failed: boom', new Error('boom'));
    const text = fs.readFileSync(path.join(temp.dir, 'logs', LOG_FILE_NAME), 'utf8');
    expect(text).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z INFO  \\[${process.pid}\\] Job #1 import started\\.\\n`));
    expect(text).toMatch(/ERROR \[\d+\] Job #1 import failed: boom\n {4}Error: boom\n {8}at /);
    expect(readLogTail(1)).toEqual({ file: logFilePath(), lines: [expect.stringMatching(/^ {8}at /)] });
  });

  it('rotates past its cap and keeps a bounded number of files', () => {
    const line = 'x'.repeat(1000);
    const entries = Math.ceil(((KEPT_FILES + 1) * MAX_LOG_BYTES) / 1000);
    for (let i = 0; i < entries; i++) logInfo(`${i} ${line}`);
    const files = fs.readdirSync(path.join(temp.dir, 'logs')).sort();
    expect(files).toEqual([LOG_FILE_NAME, `${LOG_FILE_NAME}.1`, `${LOG_FILE_NAME}.2`]);
    for (const file of files) expect(fs.statSync(path.join(temp.dir, 'logs', file)).size).toBeLessThanOrEqual(MAX_LOG_BYTES);
    // The newest entry is in graft.log, the one before the rotation in graft.log.1.
    const last = readLogTail(1).lines[0];
    expect(last).toMatch(new RegExp(`INFO  \\[\\d+\\] ${entries - 1} x`));
  });

  it('echoes every entry to a stream when asked (--verbose)', () => {
    const echo = new PassThrough();
    setLogEcho(echo);
    logInfo('hello');
    expect(String(echo.read())).toMatch(/INFO {2}\[\d+\] hello\n$/);
  });

  it('never throws, even when the folder cannot be written', () => {
    const blocked = path.join(temp.dir, 'a-file');
    fs.writeFileSync(blocked, '');
    setLogFolder(path.join(blocked, 'logs')); // a folder inside a file cannot exist
    expect(() => logError('still fine', new Error('x'))).not.toThrow();
    expect(readLogTail()).toEqual({ file: path.join(blocked, 'logs', LOG_FILE_NAME), lines: [] });
  });
});
