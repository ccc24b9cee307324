/**
 * Project files: one SQLite database per project (`*.graft`). Opening checks that the file is a
 * Graft project this version understands before anything is written to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GraftError } from '../../shared/api/errors';
import type { ProjectInfo } from '../../shared/api/projects';
import { naturalSortKey } from '../../shared/naturalSort';
import { GRAFT_APPLICATION_ID, LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations';
import { projectStores, type ProjectStores } from './projectStores';
import { openSqlite, type Sqlite } from './sqlite';
import { ThumbnailStore } from './thumbnailStore';

export const PROJECT_EXTENSION = '.graft';
const SQLITE_HEADER = 'SQLite format 3\0';

export interface Project {
  readonly db: Sqlite;
  readonly info: ProjectInfo;
  readonly stores: ProjectStores;
  /** The project's thumbnail cache, opened when first asked for. */
  readonly thumbnails: ThumbnailStore;
  close(): void;
}

export function configure(db: Sqlite): void {
  // WAL lets the worker process write while the user interface reads, and a crash mid-write
  // leaves the last committed state intact.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
}

export function migrate(db: Sqlite, list: readonly Migration[] = migrations): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of list.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function readInfo(db: Sqlite, file: string): ProjectInfo {
  const meta = new Map(
    (db.prepare('SELECT key, value FROM project_meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
  );
  return {
    path: file,
    name: meta.get('name') ?? path.basename(file, PROJECT_EXTENSION),
    createdAt: meta.get('created_at') ?? '',
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
  };
}

/** What a file system entry is, when it is not a file a project could be (null when it is a regular file). */
function notAFile(stat: fs.Stats): string | null {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (!stat.isFile()) return 'not a regular file';
  return null;
}

function describeOpenError(file: string, error: unknown): GraftError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new GraftError('not_found', `There is no file at ${file}.`);
  if (code === 'EACCES' || code === 'EPERM') return new GraftError('not_a_project', `${file} cannot be read: permission denied.`);
  return new GraftError('not_a_project', `${file} cannot be read (${code ?? String(error)}).`);
}

/** The first 16 bytes of a regular file; anything else (a pipe, a socket, a device, a folder) is refused by what it is. */
function readHeader(file: string): Buffer {
  let stat: fs.Stats;
  try {
    // Looked at before it is opened: opening a named pipe would wait for a writer, forever.
    stat = fs.statSync(file);
  } catch (error) {
    throw describeOpenError(file, error);
  }
  const kind = notAFile(stat);
  if (kind) throw new GraftError('not_a_project', `${file} is ${kind}, not a Graft project file.`);
  let fd: number;
  try {
    // Non-blocking, and checked again once open: the file may have been replaced meanwhile.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw describeOpenError(file, error);
  }
  try {
    const swapped = notAFile(fs.fstatSync(fd));
    if (swapped) throw new GraftError('not_a_project', `${file} is ${swapped}, not a Graft project file.`);
    const header = Buffer.alloc(16);
    fs.readSync(fd, header, 0, 16, 0);
    return header;
  } catch (error) {
    throw error instanceof GraftError ? error : describeOpenError(file, error);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a file's header and SQLite identity without changing it, and says in a sentence why it
 * cannot be opened as a project, if it cannot.
 */
export function checkProjectFile(file: string): void {
  const header = readHeader(file);
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new GraftError('not_a_project', `${path.basename(file)} is not a Graft project: it is not a database file.`);
  }
  const db = openSqlite(file, { readonly: true, fileMustExist: true });
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== GRAFT_APPLICATION_ID) {
      throw new GraftError('not_a_project', `${path.basename(file)} is not a Graft project: it is a database of another program.`);
    }
    if (version > LATEST_SCHEMA_VERSION) {
      throw new GraftError(
        'newer_project',
        `${path.basename(file)} was saved by a newer version of Graft (project format ${version}; this version reads up to ${LATEST_SCHEMA_VERSION}). Update Graft to open it; the file was not changed.`,
      );
    }
  } finally {
    db.close();
  }
}

export function createProject(file: string, name?: string): Project {
  const absolute = path.resolve(file.endsWith(PROJECT_EXTENSION) ? file : file + PROJECT_EXTENSION);
  if (fs.existsSync(absolute)) {
    throw new GraftError('already_exists', `${absolute} already exists. Open it, or choose another name.`);
  }
  if (!fs.existsSync(path.dirname(absolute))) {
    throw new GraftError('not_found', `The folder ${path.dirname(absolute)} does not exist.`);
  }
  const db = openSqlite(absolute);
  try {
    configure(db);
    db.pragma(`application_id = ${GRAFT_APPLICATION_ID}`);
    migrate(db);
    const insert = db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      insert.run('name', name?.trim() || path.basename(absolute, PROJECT_EXTENSION));
      insert.run('created_at', new Date().toISOString());
    })();
  } catch (error) {
    db.close();
    fs.rmSync(absolute, { force: true });
    throw error;
  }
  return wrap(db, absolute);
}

export function openProject(file: string): Project {
  const absolute = path.resolve(file);
  checkProjectFile(absolute);
  const db = openSqlite(absolute, { fileMustExist: true });
  configure(db);
  migrate(db);
  const project = wrap(db, absolute);
  project.stores.library.fillSortKeys(naturalSortKey);
  return project;
}

/**
 * Opens a project that the main side has already checked and migrated, from a job's worker
 * process: both write through SQLite's WAL, each change in a transaction.
 */
export function openProjectDatabase(file: string): { db: Sqlite; stores: ProjectStores } {
  const db = openSqlite(file, { fileMustExist: true });
  configure(db);
  return { db, stores: projectStores(db) };
}

function wrap(db: Sqlite, file: string): Project {
  let thumbnails: ThumbnailStore | null = null;
  let closed = false;
  return {
    db,
    info: readInfo(db, file),
    stores: projectStores(db),
    get thumbnails() {
      // A request finishing after its project closed must not open a connection nobody closes.
      if (closed) throw new Error(`The project ${file} is closed.`);
      return (thumbnails ??= ThumbnailStore.open(file));
    },
    close: () => {
      closed = true;
      thumbnails?.close();
      db.close();
    },
  };
}
