/**
 * The browser mode's file chooser, served by the main side: one folder at a time, its subfolders
 * and the files with the extensions asked for. It only lists; the person chooses, and only the
 * chosen path is ever used. Nothing is read but names and sizes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraftError } from '../../shared/api/errors';
import type { FolderEntry, FolderListing, FolderQuery, Places } from '../../shared/api/files';

/** A folder with more entries than this lists the first ones and says so. */
const MAX_ENTRIES = 5000;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export async function listFolder(query: FolderQuery): Promise<FolderListing> {
  const folder = path.resolve(query.folder?.trim() || os.homedir());
  let names: fs.Dirent[];
  try {
    names = await fs.promises.readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GraftError('not_found', `There is no folder ${folder}.`);
    if (code === 'ENOTDIR') throw new GraftError('invalid_request', `${folder} is a file, not a folder.`);
    if (code === 'EACCES' || code === 'EPERM') throw new GraftError('unavailable', `Graft is not allowed to look into ${folder}.`);
    throw new GraftError('unavailable', `${folder} cannot be listed (${code ?? String(error)}).`);
  }
  const extensions = new Set(query.extensions.map((e) => `.${e.toLowerCase()}`));
  const entries: FolderEntry[] = [];
  for (const dirent of names) {
    if (!query.hidden && dirent.name.startsWith('.')) continue;
    const full = path.join(folder, dirent.name);
    let kind: 'folder' | 'file' | null = dirent.isDirectory() ? 'folder' : dirent.isFile() ? 'file' : null;
    let bytes: number | null = null;
    if (dirent.isSymbolicLink() || kind === 'file') {
      try {
        const stat = await fs.promises.stat(full);
        kind = stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : null;
        bytes = stat.isFile() ? stat.size : null;
      } catch {
        continue; // a broken link: nothing to choose
      }
    }
    if (kind === 'folder' || (kind === 'file' && extensions.has(path.extname(dirent.name).toLowerCase()))) entries.push({ name: dirent.name, path: full, kind, bytes });
  }
  entries.sort((a, b) => (a.kind === b.kind ? collator.compare(a.name, b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = path.dirname(folder);
  return { folder, parent: parent === folder ? null : parent, entries: entries.slice(0, MAX_ENTRIES), truncated: entries.length > MAX_ENTRIES };
}

/** Where people start looking: home, the usual photo folders, the tops of the drives. */
export function places(recent: string[]): Places {
  const home = os.homedir();
  const candidates = ['Pictures', 'Photos', 'Desktop', 'Documents', 'Downloads'].map((name) => ({ name, path: path.join(home, name) }));
  const drives =
    process.platform === 'win32'
      ? 'CDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((letter) => ({ name: `${letter}:`, path: `${letter}:\\` }))
      : [{ name: 'Computer', path: '/' }, ...['/media', '/mnt', '/Volumes'].map((p) => ({ name: path.basename(p), path: p }))];
  const existing = [...candidates, ...drives].filter((place) => {
    try {
      return fs.statSync(place.path).isDirectory();
    } catch {
      return false;
    }
  });
  return { home, places: existing, recent, separator: path.sep === '\\' ? '\\' : '/' };
}
