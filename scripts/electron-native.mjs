// better-sqlite3 in node_modules is built for Node (CLI, tests). Electron needs a build for its own
// ABI: this makes one from a copy of the package, into a separate folder, never over the Node
// build. `npm start` and the Electron end-to-end test use .electron-native/better_sqlite3.node;
// packaging (scripts/packaging/beforePack.mjs) builds one per platform and architecture.
// Run directly, it exits 0 when the `npm start` build is ready.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** Where node-gyp fetches Electron's headers from (the @electron/rebuild default). */
const HEADERS_URL = 'https://www.electronjs.org/headers';

/**
 * Why Electron's headers cannot be had, or null when they can: already in node-gyp's cache for
 * Electron (~/.electron-gyp), or reachable. Asked first so that "offline" is told apart from a
 * real build failure, which must never pass as a network problem.
 */
export async function electronHeadersProblem(electronVersion) {
  if (fs.existsSync(path.join(os.homedir(), '.electron-gyp', electronVersion, 'include', 'node', 'node.h'))) return null;
  const url = `${HEADERS_URL}/v${electronVersion}/node-v${electronVersion}-headers.tar.gz`;
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(20_000) });
    return response.ok ? null : `${url} answered ${response.status}`;
  } catch (error) {
    return `${url} could not be reached (${error?.cause?.message ?? error?.message ?? error})`;
  }
}

/**
 * Builds better-sqlite3 for Electron `electronVersion` on `arch` into `target` (a file path).
 * Resolves to { ok: true }, or { ok: false, offline, reason } — offline when Electron's headers
 * could not be downloaded (nothing was attempted), otherwise the build itself failed.
 */
export async function buildElectronSqlite({ electronVersion, arch = process.arch, target }) {
  const headersProblem = await electronHeadersProblem(electronVersion);
  if (headersProblem) return { ok: false, offline: true, reason: `Electron ${electronVersion}'s headers could not be downloaded: ${headersProblem}` };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'graft-electron-sqlite-'));
  try {
    fs.mkdirSync(path.join(work, 'node_modules'));
    fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), path.join(work, 'node_modules', 'better-sqlite3'), { recursive: true });
    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'graft-electron-native', dependencies: { 'better-sqlite3': '*' } }));
    const { rebuild } = require('@electron/rebuild');
    await rebuild({ buildPath: work, electronVersion, arch, headerURL: HEADERS_URL, onlyModules: ['better-sqlite3'], force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target);
    return { ok: true };
  } catch (error) {
    return { ok: false, offline: false, reason: `building better-sqlite3 for Electron ${electronVersion} failed: ${error instanceof Error ? error.message : error}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The build `npm start` uses (.electron-native/better_sqlite3.node), made once per Electron version. */
export async function ensureElectronSqlite() {
  const target = path.join(root, '.electron-native', 'better_sqlite3.node');
  const electronVersion = require('electron/package.json').version;
  const stamp = `${target}.${electronVersion}`;
  if (fs.existsSync(target) && fs.existsSync(stamp)) return true;
  console.log(`Graft: building the SQLite module for Electron ${electronVersion} (one time)…`);
  const built = await buildElectronSqlite({ electronVersion, target });
  if (!built.ok) {
    console.log(`Graft: could not build SQLite for Electron (${built.reason}).`);
    return false;
  }
  fs.writeFileSync(stamp, '');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit((await ensureElectronSqlite()) ? 0 : 1);
