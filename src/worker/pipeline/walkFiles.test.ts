/** What walking a folder reports, by name and in words: special files, undecodable names, dangling links. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { isPhotoName } from '../../node/photos/imageFiles';
import { walkFiles } from './walkFiles';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

const signal = new AbortController().signal;

describe('walkFiles', () => {
  it('reports a FIFO, a socket and a dangling link named like photos, each in its own words, and lists the regular files', async () => {
    fs.writeFileSync(path.join(temp.dir, 'ok.jpg'), 'x');
    execFileSync('mkfifo', [path.join(temp.dir, 'pipe.jpg')]);
    const server = net.createServer().listen(path.join(temp.dir, 'socket.jpg'));
    await new Promise((resolve) => server.once('listening', resolve));
    fs.symlinkSync(path.join(temp.dir, 'nowhere.jpg'), path.join(temp.dir, 'dangling.jpg'));
    fs.symlinkSync('/dev/null', path.join(temp.dir, 'device.jpg'));
    execFileSync('mkfifo', [path.join(temp.dir, 'pipe.txt')]); // not named like a photo: passed over silently
    try {
      const walked = await walkFiles(temp.dir, signal, isPhotoName);
      expect(walked.files).toEqual([path.join(temp.dir, 'ok.jpg')]);
      const reasons = Object.fromEntries(walked.problems.map((p) => [path.basename(p.path), p.reason]));
      expect(reasons).toEqual({
        'pipe.jpg': 'a named pipe (FIFO), not a file: skipped',
        'socket.jpg': 'a socket, not a file: skipped',
        'device.jpg': 'a device, not a file: skipped',
        'dangling.jpg': 'a symbolic link to a file that does not exist',
      });
    } finally {
      server.close();
    }
  });

  it('reports a name that is not valid UTF-8 by its bytes, not as a file that disappeared', async () => {
    fs.writeFileSync(Buffer.from(path.join(temp.dir, 'bad\xff\xfe.jpg'), 'latin1'), 'x');
    const walked = await walkFiles(temp.dir, signal, isPhotoName);
    expect(walked.files).toEqual([]);
    expect(walked.problems).toEqual([{ path: path.join(temp.dir, 'bad\\xff\\xfe.jpg'), reason: 'its name is not valid UTF-8, which Graft cannot record; rename the file' }]);
  });
});
