import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder, removed by the returned function. */
export function makeTempDir(prefix = 'graft-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A folder holding one huge sparse file: hashing it takes many seconds of real work but no
 * disk space, so a test can watch a job's progress and cancel it mid-way without timing tricks.
 */
export function makeSlowFolder(parent: string, gigabytes = 40): string {
  const folder = path.join(parent, 'slow-folder');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'small.txt'), 'hello');
  const fd = fs.openSync(path.join(folder, 'huge.bin'), 'w');
  fs.ftruncateSync(fd, gigabytes * 1e9);
  fs.closeSync(fd);
  return folder;
}
