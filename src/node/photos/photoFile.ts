/**
 * Reading a photo file safely: checked with fstat before a byte is read (a regular file, not a
 * pipe or a device, and not absurdly large), its SHA-256 content hash computed, and its bytes kept
 * for decoding only when the file is small enough to hold — a larger one is hashed as a stream and
 * decoded from disk. The bytes held whole by all the photos in flight together are capped too
 * (32 photos in flight of 60 MiB each would hold 1.9 GB): past the cap, files are streamed like
 * large ones until the photos before them are decoded and `release` their share. Memory for file
 * bytes is therefore bounded, whatever the files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describeFsError } from '../files/fsErrors';

/** No photo is this large; a file that is is not imported (and not read). */
export const MAX_PHOTO_BYTES = 1024 ** 3;
/** Files up to this size are read whole (one read serves the hash and the decoder). */
const READ_WHOLE_BYTES = 64 * 1024 ** 2;
const STREAM_CHUNK = 1024 ** 2;
/** Bytes of files read whole that all the photos in flight may hold at once. */
export const WHOLE_BYTES_IN_FLIGHT = 256 * 1024 ** 2;
let wholeBytesHeld = 0;

export interface PhotoStat {
  size: number;
  mtimeMs: number;
}

export type ReadPhoto =
  | {
      ok: true;
      stat: PhotoStat;
      hash: string;
      /** The file's bytes, or null: decode it from disk. */
      bytes: Buffer | null;
      /** Gives the bytes' share of WHOLE_BYTES_IN_FLIGHT back: call it once they are decoded (again: no effect). */
      release(): void;
    }
  | { ok: false; stat: PhotoStat | null; reason: string };

/** The bytes held whole right now (for tests). */
export function wholeBytesInFlight(): number {
  return wholeBytesHeld;
}

const nothingToRelease = () => {};

/** Why a file is not one to read as a photo, from its stat; null when it is. */
export function notAPhotoFile(stat: fs.Stats): string | null {
  if (stat.isDirectory()) return 'a folder, not a file';
  if (stat.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (stat.isSocket()) return 'a socket, not a file';
  if (!stat.isFile()) return 'a device or special file, not a file';
  if (stat.size === 0) return 'empty file (0 bytes)';
  if (stat.size > MAX_PHOTO_BYTES) return `too large for a photo (${(stat.size / 1024 ** 3).toFixed(1)} GiB; the limit is 1 GiB)`;
  return null;
}

/** The file's size and modification time (following links), or why it cannot be read. */
export async function statPhoto(file: string): Promise<{ stat: PhotoStat } | { reason: string }> {
  try {
    const stat = await fs.promises.stat(file);
    return { stat: { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) } };
  } catch (error) {
    return { reason: describeFsError(error) };
  }
}

/** Opens, checks and hashes a photo file. Never throws for a bad file: it says why. */
export async function readPhoto(file: string): Promise<ReadPhoto> {
  let handle: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer (it is refused below, by fstat).
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, stat: null, reason: describeFsError(error) };
  }
  try {
    const info = await handle.stat();
    const stat = { size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
    const problem = notAPhotoFile(info);
    if (problem) return { ok: false, stat, reason: problem };
    const hash = createHash('sha256');
    if (info.size <= READ_WHOLE_BYTES && wholeBytesHeld + info.size <= WHOLE_BYTES_IN_FLIGHT) {
      // Taken before the read: the photos loading at the same time see it.
      wholeBytesHeld += info.size;
      let held = true;
      const release = () => {
        if (held) wholeBytesHeld -= info.size;
        held = false;
      };
      try {
        const bytes = await handle.readFile();
        return { ok: true, stat, hash: hash.update(bytes).digest('hex'), bytes, release };
      } catch (error) {
        release();
        throw error;
      }
    }
    const chunk = Buffer.allocUnsafe(STREAM_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, STREAM_CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
    }
    return { ok: true, stat, hash: hash.digest('hex'), bytes: null, release: nothingToRelease };
  } catch (error) {
    return { ok: false, stat: null, reason: describeFsError(error) };
  } finally {
    await handle.close();
  }
}
