// electron-builder's beforePack hook: refuses a package that could not work, then builds
// better-sqlite3 for the Electron being packaged into .electron-native/package-<platform>-<arch>/
// (never over node_modules, which the CLI and the tests load under Node).
import fs from 'node:fs';
import path from 'node:path';
import { buildElectronSqlite } from '../electron-native.mjs';
import { packTarget, root } from './packTarget.mjs';

/** Why this machine cannot build a working package for `platform`/`arch`, or null. */
export function unbuildableReason(platform, arch) {
  const onnxruntime = path.join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', platform, arch);
  if (!fs.existsSync(onnxruntime)) {
    return `Graft cannot be packaged for ${platform}-${arch}: onnxruntime-node ships no binary for it (${path.relative(root, onnxruntime)} does not exist)${platform === 'darwin' ? '; the macOS dmg is built for arm64 (Apple silicon) only' : ''}.`;
  }
  if (platform !== process.platform || arch !== process.arch) {
    return `Graft cannot be packaged for ${platform}-${arch} on this ${process.platform}-${process.arch} machine: node_modules holds this machine's native modules (sharp, onnxruntime-node, better-sqlite3); build each installer on the platform and architecture it is for.`;
  }
  return null;
}

export default async function beforePack(context) {
  const target = packTarget(context);
  const problem = unbuildableReason(target.platform, target.arch);
  if (problem) throw new Error(problem);

  const statusFile = path.join(target.nativeDir, 'status.json');
  const binary = path.join(target.nativeDir, 'better_sqlite3.node');
  const previous = fs.existsSync(statusFile) ? JSON.parse(fs.readFileSync(statusFile, 'utf8')) : null;
  if (previous?.electronVersion === target.electronVersion && previous.built && fs.existsSync(binary)) return;

  console.log(`  • building better-sqlite3 for Electron ${target.electronVersion} (${target.platform}-${target.arch}) into ${path.relative(root, target.nativeDir)}`);
  fs.rmSync(target.nativeDir, { recursive: true, force: true });
  const result = await buildElectronSqlite({ electronVersion: target.electronVersion, arch: target.arch, target: binary });
  if (!result.ok && !result.offline) throw new Error(result.reason);
  if (!result.ok) {
    // Offline: the package is still made, with Node's build, so that everything else can be
    // checked; the afterPack ABI check then marks it not releasable.
    fs.mkdirSync(target.nativeDir, { recursive: true });
    fs.copyFileSync(path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), binary);
  }
  fs.writeFileSync(statusFile, JSON.stringify({ electronVersion: target.electronVersion, built: result.ok, reason: result.ok ? null : result.reason }, null, 2));
}
