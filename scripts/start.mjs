// `npm start`: builds Graft, then opens it in an Electron window where Electron can run here,
// and otherwise says why in one line and serves the same app to the browser (graft serve).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const passThrough = args.filter((arg) => arg !== '--browser');

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

/** The Electron binary's path, or the reason there is none. */
function findElectron() {
  const locate = () => {
    try {
      const binary = require('electron');
      return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
    } catch {
      return null;
    }
  };
  let binary = locate();
  if (!binary && fs.existsSync(path.join(root, 'node_modules', 'electron', 'install.js'))) {
    // npm does not run Electron's download script (package.json allowScripts): fetch it here,
    // once, where there is internet; offline this fails within seconds.
    console.log('Graft: fetching the Electron runtime (one time)…');
    run(process.execPath, ['install.js'], { cwd: path.join(root, 'node_modules', 'electron'), stdio: 'ignore', timeout: 180_000 });
    binary = locate();
  }
  if (!binary) return { reason: 'the Electron runtime is not installed and could not be downloaded' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { binary };
}

/**
 * better-sqlite3 in node_modules is built for Node (CLI, tests). Electron needs a build for its
 * own ABI: make one once, in .electron-native/, without touching the Node build.
 */
async function ensureElectronSqlite() {
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

if (!run(process.execPath, ['scripts/build.mjs'])) process.exit(1);

const electron = forceBrowser ? { reason: 'the browser mode was asked for' } : findElectron();
if (electron.binary && (await ensureElectronSqlite())) {
  const child = spawn(electron.binary, [path.join(root, 'dist', 'electron-main.cjs'), ...passThrough], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Graft: opening in your browser instead of a desktop window, because ${electron.reason ?? 'Electron could not be prepared'}.`);
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.cjs'), 'serve', ...passThrough], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
