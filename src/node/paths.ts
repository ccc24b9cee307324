/** Where Graft's own files are: the installed app, and the user's data folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let root: string | undefined;

/** The folder holding package.json (and dist/): found upward from this file, bundled or not. */
export function appRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Graft's package.json above ${__dirname}`);
    dir = parent;
  }
  return (root = dir);
}

/** The built files (renderer, worker, preload) the main side loads at run time. */
export function distPath(...parts: string[]): string {
  return path.join(appRoot(), 'dist', ...parts);
}

/**
 * The user's data folder: GRAFT_HOME when set (tests, portable use), else the platform's
 * convention, matching what Electron's app.getPath('userData') gives for "Graft".
 */
export function userDataDir(): string {
  if (process.env.GRAFT_HOME) return path.resolve(process.env.GRAFT_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Graft');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Graft');
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Graft');
  }
}

export function appVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
