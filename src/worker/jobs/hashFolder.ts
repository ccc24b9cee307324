/**
 * The first real job: walks a folder tree and computes each file's SHA-256 content hash,
 * reporting bytes done, so that a user sees which files are byte-identical copies. Graft's
 * library identifies photos by this same hash.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HashFolderResult } from '../../shared/api/library';
import type { JobParams } from '../../shared/jobs/registry';
import type { JobContext } from '../../shared/jobs/jobContext';
import { describeFsError } from '../../node/files/fsErrors';
import { walkFiles } from '../pipeline/walkFiles';

const CHUNK = 1 << 20;

export async function hashFolder(params: JobParams<'hashFolder'>, context: JobContext): Promise<HashFolderResult> {
  const root = path.resolve(params.folder);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder.`);
  context.progress(0, null, 'bytes', 'Listing files');
  const walked = await walkFiles(root, context.signal);
  const unreadable = walked.problems.map((p) => ({ path: path.relative(root, p.path), reason: p.reason }));
  const files: { path: string; size: number }[] = [];
  for (const file of walked.files) {
    try {
      files.push({ path: file, size: (await fs.promises.stat(file)).size });
    } catch (error) {
      unreadable.push({ path: path.relative(root, file), reason: describeFsError(error) });
    }
  }
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const byHash = new Map<string, string[]>();
  const buffer = Buffer.allocUnsafe(CHUNK);
  let doneBytes = 0;
  let hashed = 0;

  for (const file of files) {
    const relative = path.relative(root, file.path);
    try {
      const hash = createHash('sha256');
      const handle = await fs.promises.open(file.path, 'r');
      try {
        for (;;) {
          context.signal.throwIfAborted();
          const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
          if (bytesRead === 0) break;
          hash.update(buffer.subarray(0, bytesRead));
          doneBytes += bytesRead;
          context.progress(doneBytes, totalBytes, 'bytes', `${hashed} of ${files.length} files`);
        }
      } finally {
        await handle.close();
      }
      const digest = hash.digest('hex');
      byHash.set(digest, [...(byHash.get(digest) ?? []), relative]);
      hashed++;
    } catch (error) {
      if (context.signal.aborted) throw error;
      unreadable.push({ path: relative, reason: describeFsError(error) });
    }
  }
  context.progress(doneBytes, totalBytes, 'bytes', `${hashed} of ${files.length} files`);
  return {
    files: hashed,
    bytes: doneBytes,
    unreadable,
    duplicateGroups: [...byHash.values()].filter((paths) => paths.length > 1),
  };
}
