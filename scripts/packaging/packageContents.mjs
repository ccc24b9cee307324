// What a packaged Graft ships: every file of resources/ (inside app.asar, unpacked beside it, or
// loose), with its size, and the rules a shipped file must follow.
import fs from 'node:fs';
import path from 'node:path';
import { filesUnder } from './nativeAbi.mjs';
import { builderRequire } from './packTarget.mjs';

const asar = builderRequire('@electron/asar');

/**
 * Every file under `resourcesDir` as { path, size, where }: `path` is relative to the app
 * (app.asar's root) for the archive and its unpacked files, or to resources/ otherwise; `where`
 * is 'asar', 'unpacked' or 'resources'.
 */
export function listShippedFiles(resourcesDir) {
  const files = [];
  const walk = (node, prefix) => {
    for (const [name, entry] of Object.entries(node.files ?? {})) {
      const file = prefix ? `${prefix}/${name}` : name;
      if (entry.files) walk(entry, file);
      else if (!entry.link) files.push({ path: file, size: Number(entry.size), where: entry.unpacked ? 'unpacked' : 'asar' });
    }
  };
  walk(asar.getRawHeader(path.join(resourcesDir, 'app.asar')).header, '');
  for (const file of filesUnder(resourcesDir)) {
    if (file === 'app.asar' || file.startsWith(`app.asar.unpacked${path.sep}`)) continue;
    files.push({ path: file.split(path.sep).join('/'), size: fs.statSync(path.join(resourcesDir, file)).size, where: 'resources' });
  }
  return files;
}

/** The package a shipped file belongs to (node_modules/<name>, or the app's own top folder). */
export function shippedPart(file) {
  const parts = file.path.split('/');
  if (file.where === 'resources') return `resources/${parts[0]}`;
  const modules = parts.lastIndexOf('node_modules');
  if (modules === -1) return parts[0];
  return parts.slice(0, modules + (parts[modules + 1]?.startsWith('@') ? 3 : 2)).join('/');
}

const LICENCE = /(^|\/)(licen[cs]e|copying|notice)[^/]*$/i;

/** Rules for what never ships: [reason, test(path)]. */
export const NEVER_SHIPPED = [
  ['source map', (p) => p.endsWith('.map')],
  ['C/C++ source or build file', (p) => /\.(c|cc|cpp|cxx|h|hh|hpp|gyp|gypi)$/.test(p) || /(^|\/)(binding\.gyp|Makefile|CMakeLists\.txt)$/.test(p)],
  ['TypeScript source or declaration', (p) => /\.(ts|mts|cts|tsx)$/.test(p)],
  ['test, example or documentation folder', (p) => /(^|\/)(test|tests|__tests__|spec|specs|example|examples|doc|docs|benchmark|benchmarks)\//.test(p)],
  ['documentation', (p) => /\.(md|markdown)$/i.test(p) && !LICENCE.test(p)],
  ['TensorFlow.js part the worker does not load', (p) => /(^|\/)node_modules\/(@tensorflow\/(tfjs|tfjs-node|tfjs-node-gpu|tfjs-backend-webgl|tfjs-data)|core-js)\//.test(p)],
  ['binary for another platform', (p) => /\.(dll|dylib|exe)$/i.test(p) || /onnxruntime-node\/bin\/napi-v6\/(darwin|win32)\//.test(p)],
];

/** A shared library or native module by its name (libvips-cpp.so.8.18.7 included). */
export const isNativeName = (p) => /\.(node|so|dylib|dll)$/.test(p) || /\.so(\.\d+)+$/.test(p);

/** The problems of a file list: shipped files that break a rule, native code left inside the archive. */
export function contentProblems(files) {
  const problems = [];
  for (const file of files) {
    for (const [reason, test] of NEVER_SHIPPED) if (test(file.path)) problems.push(`${reason}: ${file.path}`);
    if (file.where === 'asar' && isNativeName(file.path)) problems.push(`native code inside app.asar (cannot be loaded from there): ${file.path}`);
  }
  return problems;
}
