// `npm start`: builds Graft, then opens it in an Electron window where Electron can run here,
// and otherwise says why in one line and serves the same app to the browser (graft serve).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite } from './electron-native.mjs';

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
