/** Reading photo files safely: checked with fstat before any read, hashed as a stream when large. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { MAX_PHOTO_BYTES, WHOLE_BYTES_IN_FLIGHT, readPhoto, wholeBytesInFlight } from './photoFile';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

/** A file of `bytes` zeros that takes no disk space. */
function sparse(name: string, bytes: number): string {
  const file = path.join(temp.dir, name);
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, bytes);
  fs.closeSync(fd);
  return file;
}

describe('readPhoto', () => {
  it('refuses a file over the limit from its size alone, in words (not ERR_FS_FILE_TOO_LARGE)', async () => {
    const read = await readPhoto(sparse('huge.jpg', 3 * 1024 ** 3));
    expect(read).toEqual({ ok: false, stat: { size: 3 * 1024 ** 3, mtimeMs: expect.any(Number) }, reason: 'too large for a photo (3.0 GiB; the limit is 1 GiB)' });
  });

  it('hashes a large file as a stream and keeps no bytes of it; a small one is read once, whole', async () => {
    const size = 100 * 1024 ** 2;
    const large = await readPhoto(sparse('large.jpg', size));
    expect(large).toMatchObject({ ok: true, bytes: null, hash: createHash('sha256').update(Buffer.alloc(size)).digest('hex') });
    fs.writeFileSync(path.join(temp.dir, 'small.jpg'), 'small');
    const small = await readPhoto(path.join(temp.dir, 'small.jpg'));
    expect(small).toMatchObject({ ok: true, bytes: Buffer.from('small') });
    if (small.ok) small.release();
    expect(MAX_PHOTO_BYTES).toBe(1024 ** 3);
  });

  it('refuses a named pipe, a folder and an empty file by what they are, without waiting on the pipe', async () => {
    const fifo = path.join(temp.dir, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    expect(await readPhoto(fifo)).toMatchObject({ ok: false, reason: 'a named pipe (FIFO), not a file' });
    fs.mkdirSync(path.join(temp.dir, 'folder.jpg'));
    expect(await readPhoto(path.join(temp.dir, 'folder.jpg'))).toMatchObject({ ok: false, reason: 'a folder, not a file' });
    expect(await readPhoto('/dev/null')).toMatchObject({ ok: false, reason: 'a device or special file, not a file' });
    fs.writeFileSync(path.join(temp.dir, 'empty.jpg'), '');
    expect(await readPhoto(path.join(temp.dir, 'empty.jpg'))).toMatchObject({ ok: false, reason: 'empty file (0 bytes)' });
    expect(await readPhoto(path.join(temp.dir, 'gone.jpg'))).toMatchObject({ ok: false, stat: null, reason: 'the file disappeared' });
  });

  it('holds at most WHOLE_BYTES_IN_FLIGHT of files read whole at once: past it, streams them until bytes are released', async () => {
    const size = 60 * 1024 ** 2;
    const files = Array.from({ length: Math.floor(WHOLE_BYTES_IN_FLIGHT / size) + 2 }, (_, i) => sparse(`sixty${i}.jpg`, size));
    const reads = await Promise.all(files.map((file) => readPhoto(file)));
    const whole = reads.filter((r) => r.ok && r.bytes !== null);
    expect(whole).toHaveLength(Math.floor(WHOLE_BYTES_IN_FLIGHT / size));
    expect(wholeBytesInFlight()).toBe(whole.length * size);
    // Every file got its hash either way.
    expect(new Set(reads.map((r) => r.ok && r.hash)).size).toBe(1);
    for (const read of reads) if (read.ok) read.release();
    expect(wholeBytesInFlight()).toBe(0);
    const again = await readPhoto(files[0]);
    expect(again).toMatchObject({ ok: true, bytes: expect.any(Buffer) });
    if (again.ok) {
      again.release();
      again.release();
    }
    expect(wholeBytesInFlight()).toBe(0);
  });
});
