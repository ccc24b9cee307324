/**
 * The first real job: walks a folder tree and computes each file's SHA-256 content hash,
 * reporting bytes done, so that a user sees which files are byte-identical copies. Graft's
 * library identifies photos by this same hash.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HashFolderResult } from '../../../preload/common/contract';
import { throwIfCancelled, type JobContext } from './jobContext';

const CHUNK = 1 << 20;

interface Listed {
  files: { path: string; size: number }[];
  unreadable: { path: string; reason: string }[];
}

/** Lists regular files under root, following no symbolic links, so that a loop cannot trap it. */
export function listFiles(root: string, signal: AbortSignal): Listed {
  const listed: Listed = { files: [], unreadable: [] };
  const pending = [root];
  while (pending.length) {
    throwIfCancelled(signal);
    const dir = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      listed.unreadable.push({ path: dir, reason: describeFsError(error) });
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        try {
          listed.files.push({ path: full, size: fs.statSync(full).size });
        } catch (error) {
          listed.unreadable.push({ path: full, reason: describeFsError(error) });
        }
      }
    }
  }
  listed.files.sort((a, b) => a.path.localeCompare(b.path));
  return listed;
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'the file disappeared';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

export async function hashFolder(params: { folder: string }, context: JobContext): Promise<HashFolderResult> {
  const root = path.resolve(params.folder);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder.`);
  context.progress(0, null, 'bytes', 'Listing files');
  const listed = listFiles(root, context.signal);
  const totalBytes = listed.files.reduce((sum, f) => sum + f.size, 0);
  const byHash = new Map<string, string[]>();
  const unreadable = [...listed.unreadable];
  const buffer = Buffer.allocUnsafe(CHUNK);
  let doneBytes = 0;
  let hashed = 0;

  for (const file of listed.files) {
    const relative = path.relative(root, file.path);
    try {
      const hash = createHash('sha256');
      const fd = fs.openSync(file.path, 'r');
      try {
        for (;;) {
          throwIfCancelled(context.signal);
          const read = fs.readSync(fd, buffer, 0, CHUNK, null);
          if (read === 0) break;
          hash.update(buffer.subarray(0, read));
          doneBytes += read;
          context.progress(doneBytes, totalBytes, 'bytes', `${hashed} of ${listed.files.length} files`);
          // Yield so that a cancel message arriving on the IPC channel is handled mid-file.
          if (doneBytes % (64 * CHUNK) < CHUNK) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        fs.closeSync(fd);
      }
      const digest = hash.digest('hex');
      byHash.set(digest, [...(byHash.get(digest) ?? []), relative]);
      hashed++;
    } catch (error) {
      if (context.signal.aborted) throw error;
      unreadable.push({ path: relative, reason: describeFsError(error) });
    }
  }
  context.progress(doneBytes, totalBytes, 'bytes', `${hashed} of ${listed.files.length} files`);
  return {
    files: hashed,
    bytes: doneBytes,
    unreadable,
    duplicateGroups: [...byHash.values()].filter((paths) => paths.length > 1),
  };
}
