/**
 * Opens SQLite databases through better-sqlite3. Inside Electron (main or utility process) the
 * native module must be built for Electron's ABI, while the CLI and tests run under plain Node:
 * `npm start` builds an Electron copy into .electron-native/ and this picks it when running there,
 * so one checkout serves both. A packaged app has only the Electron build and needs no override.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../paths';

export type Sqlite = Database.Database;

function nativeBinding(): string | undefined {
  if (process.env.GRAFT_SQLITE_BINDING) return process.env.GRAFT_SQLITE_BINDING;
  if (!process.versions.electron) return undefined;
  const electronBuild = path.join(appRoot(), '.electron-native', 'better_sqlite3.node');
  return fs.existsSync(electronBuild) ? electronBuild : undefined;
}

export function openSqlite(file: string, options: { readonly?: boolean; fileMustExist?: boolean } = {}): Sqlite {
  return new Database(file, { ...options, nativeBinding: nativeBinding() });
}
