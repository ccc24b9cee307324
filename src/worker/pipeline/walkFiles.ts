/**
 * Lists the regular files under a folder, recursively and asynchronously (a cancel is seen
 * between folders, and the event loop stays free). Symbolic links are followed, but a folder
 * reached twice (a link loop) is reported instead of entered; so is anything that cannot be read,
 * a file whose name is not valid UTF-8 (Graft records paths as text), and — among files named like
 * photos — named pipes, sockets and devices, which are not files to read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../../node/files/fsErrors';

export interface Problem {
  path: string;
  reason: string;
}

export interface WalkedFiles {
  files: string[];
  problems: Problem[];
}

function specialKind(entry: fs.Dirent<Buffer> | fs.Stats): string | null {
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return null;
}

/** The name as bytes, shown readably (invalid bytes as \xNN) for a message. */
function showBytes(name: Buffer): string {
  let shown = '';
  for (let i = 0; i < name.length; i++) {
    const byte = name[i];
    shown += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return shown;
}

/**
 * @param interesting which special files and badly named files are worth reporting (those named
 *   like photos); others are passed over silently like any other non-photo file.
 */
export async function walkFiles(root: string, signal: AbortSignal, interesting: (name: string) => boolean = () => true): Promise<WalkedFiles> {
  const walked: WalkedFiles = { files: [], problems: [] };
  const visited = new Set<string>();
  const pending = [root];
  while (pending.length) {
    signal.throwIfAborted();
    const dir = pending.pop()!;
    let entries: fs.Dirent<Buffer>[];
    try {
      const real = await fs.promises.realpath(dir);
      if (visited.has(real)) {
        walked.problems.push({ path: dir, reason: 'symbolic link loop: this folder was already visited' });
        continue;
      }
      visited.add(real);
      entries = await fs.promises.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      walked.problems.push({ path: dir, reason: describeFsError(error) });
      continue;
    }
    for (const entry of entries) {
      const name = entry.name.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(entry.name)) {
        if (interesting(name)) walked.problems.push({ path: path.join(dir, showBytes(entry.name)), reason: 'its name is not valid UTF-8, which Graft cannot record; rename the file' });
        continue;
      }
      const full = path.join(dir, name);
      let kind: fs.Dirent<Buffer> | fs.Stats = entry;
      if (entry.isSymbolicLink()) {
        try {
          kind = await fs.promises.stat(full);
        } catch (error) {
          if (interesting(name)) walked.problems.push({ path: full, reason: describeFsError(error, { link: true }) });
          continue;
        }
      }
      if (kind.isDirectory()) pending.push(full);
      else if (kind.isFile()) walked.files.push(full);
      else {
        const special = specialKind(kind);
        if (special && interesting(name)) walked.problems.push({ path: full, reason: `${special}, not a file: skipped` });
      }
    }
  }
  walked.files.sort((a, b) => a.localeCompare(b));
  return walked;
}
