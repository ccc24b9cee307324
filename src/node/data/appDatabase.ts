/** The app's own database, in the user's data folder: jobs that need no project are recorded here. */
import fs from 'node:fs';
import path from 'node:path';
import { userDataDir } from '../paths';
import { JobStore } from './jobStore';
import { appMigrations } from './migrations';
import { configure, migrate } from './project';
import { openSqlite, type Sqlite } from './sqlite';

export interface AppDatabase {
  readonly jobs: JobStore;
  close(): void;
}

export function openAppDatabase(dataDir = userDataDir()): AppDatabase {
  fs.mkdirSync(dataDir, { recursive: true });
  const db: Sqlite = openSqlite(path.join(dataDir, 'graft-app.sqlite'));
  configure(db);
  migrate(db, appMigrations);
  return { jobs: new JobStore(db, 'app'), close: () => db.close() };
}
