// What electron-builder is packing (platform, architecture, Electron version, folders), read once
// from its hook context, and where the Electron build of better-sqlite3 for it is kept.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** Loads the libraries electron-builder itself packs with (@electron/asar, @electron/fuses, …). */
export const builderRequire = createRequire(require.resolve('app-builder-lib'));
const { Arch } = builderRequire('builder-util');

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** electron-builder's hook context as plain values (platform as Node names it: linux, darwin, win32). */
export function packTarget(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = Arch[context.arch];
  return {
    platform,
    arch,
    electronVersion: context.packager.info.framework.version,
    appOutDir: context.appOutDir,
    resourcesDir: context.packager.getResourcesDir(context.appOutDir),
    nativeDir: electronNativeDir(platform, arch),
  };
}

/**
 * The folder holding better-sqlite3 built for the packaged Electron (electron-builder.yml copies
 * its better_sqlite3.node into the package), with status.json saying how it was made. Separate
 * from node_modules, whose Node build the CLI and the tests load.
 */
export function electronNativeDir(platform, arch) {
  return path.join(root, '.electron-native', `package-${platform}-${arch}`);
}
