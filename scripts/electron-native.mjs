// better-sqlite3 in node_modules is built for Node (CLI, tests). Electron needs a build for its own
// ABI: this makes one once, in .electron-native/, without touching the Node build. Used by
// `npm start` and the Electron end-to-end test; run directly, it exits 0 when the build is ready.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

export async function ensureElectronSqlite() {
  const target = path.join(root, '.electron-native', 'better_sqlite3.node');
  const electronVersion = require('electron/package.json').version;
  const stamp = `${target}.${electronVersion}`;
  if (fs.existsSync(target) && fs.existsSync(stamp)) return true;
  console.log(`Graft: building the SQLite module for Electron ${electronVersion} (one time)…`);
  const work = path.join(root, '.electron-native', 'work');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), path.join(work, 'node_modules', 'better-sqlite3'), { recursive: true });
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'graft-electron-native', dependencies: { 'better-sqlite3': '*' } }));
  try {
    const { rebuild } = require('@electron/rebuild');
    await rebuild({ buildPath: work, electronVersion, onlyModules: ['better-sqlite3'], force: true });
    fs.copyFileSync(path.join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target);
    fs.writeFileSync(stamp, '');
    return true;
  } catch (error) {
    console.log(`Graft: could not build SQLite for Electron (${error instanceof Error ? error.message : error}).`);
    return false;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit((await ensureElectronSqlite()) ? 0 : 1);
