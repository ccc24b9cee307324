/**
 * Lists the regular files under a folder, recursively. Symbolic links are followed, but a folder
 * reached twice (a link loop) is reported instead of entered, as is anything that cannot be read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { throwIfCancelled } from '../../shared/jobs/jobContext';

export interface WalkedFiles {
  files: string[];
  problems: { path: string; reason: string }[];
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

export function walkFiles(root: string, signal: AbortSignal): WalkedFiles {
  const walked: WalkedFiles = { files: [], problems: [] };
  const visited = new Set<string>();
  const pending = [root];
  while (pending.length) {
    throwIfCancelled(signal);
    const dir = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      const real = fs.realpathSync(dir);
      if (visited.has(real)) {
        walked.problems.push({ path: dir, reason: 'symbolic link loop: this folder was already visited' });
        continue;
      }
      visited.add(real);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      walked.problems.push({ path: dir, reason: describeFsError(error) });
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = fs.statSync(full);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          walked.problems.push({ path: full, reason: describeFsError(error) });
          continue;
        }
      }
      if (isDir) pending.push(full);
      else if (isFile) walked.files.push(full);
    }
  }
  walked.files.sort((a, b) => a.localeCompare(b));
  return walked;
}
