/**
 * The folder map is the process map: a file's folder under src/ says which process runs it and
 * what it may import. This ESLint rule enforces the matrix below on every import, export-from,
 * dynamic import() and require() — relative imports by the folder they land in, packages by name.
 *
 *   shared         pure TypeScript, any process (API contract, job registry, logic)
 *   node           Node code any Graft process may load (data layer, files, models folder)
 *   worker         the job process (one job per process: ML, ONNX, the photo pipeline)
 *   app            the main process (service, job runner, HTTP transport); the worker: types only
 *   cli            the `graft` command (hosts the app in-process, talks to it through its client)
 *   electron-main  Electron's main process (window, IPC, dialogs)
 *   preload        Electron's sandboxed preload
 *   renderer       the page (Svelte)
 *
 * No arrow runs upward: shared ← node ← worker; node ← app ← cli, electron-main; shared ← preload, renderer.
 */
import path from 'node:path';

export const LAYERS = {
  shared: { may: ['shared'] },
  node: { may: ['shared', 'node'] },
  worker: { may: ['shared', 'node', 'worker'] },
  app: { may: ['shared', 'node', 'app'], typesOnly: ['worker'] },
  cli: { may: ['shared', 'node', 'app', 'cli'] },
  'electron-main': { may: ['shared', 'node', 'app', 'electron-main'] },
  preload: { may: ['shared', 'preload'] },
  renderer: { may: ['shared', 'renderer'] },
};

/** Packages only some layers may load: ML code only in the job process, SQLite only in the data layer. */
export const PACKAGES = [
  { test: (name) => name === 'electron', layers: ['electron-main', 'preload'], why: 'Electron APIs exist only in its main process and preload' },
  { test: (name) => name === 'onnxruntime-node' || name.startsWith('@tensorflow/'), layers: ['worker'], why: 'ML code loads only inside the job worker (the app and the CLI start fast)' },
  { test: (name) => name === 'better-sqlite3', layers: ['node'], why: 'SQL lives in the data layer (src/node/data)' },
  { test: (name) => name === 'sharp', layers: ['node', 'worker', 'app'], why: 'photos are decoded by Node code (the worker, or the app serving pictures)' },
  { test: (name) => name === 'commander', layers: ['cli'], why: 'only the CLI parses command lines' },
  { test: (name) => name === 'ws', layers: ['app'], why: 'the WebSocket transport lives in src/app/server' },
];

const BUILTINS = new Set(['assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'url', 'util', 'worker_threads', 'zlib', 'readline', 'timers']);
/** Layers that run where Node's APIs do not exist (a page, a sandboxed preload) or must stay pure. */
const NO_NODE = new Set(['shared', 'renderer', 'preload']);

/** The layer of a file, from its path relative to the repository root; null outside src/. */
export function layerOf(file, root) {
  // Build configuration beside the code (vite.config.ts, svelte.config.js) runs in the build, not the app.
  if (/\.config\.[cm]?[jt]s$/.test(file)) return null;
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] !== 'src' || parts.length < 3) return null;
  return Object.hasOwn(LAYERS, parts[1]) ? parts[1] : null;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export default {
  rules: {
    layers: {
      meta: { type: 'problem', schema: [], docs: { description: 'imports follow the process map of src/' } },
      create(context) {
        const root = context.cwd;
        const file = context.filename;
        const from = layerOf(file, root);
        if (!from) return {};
        const check = (node, specifier, typeOnly) => {
          if (typeof specifier !== 'string') return;
          if (specifier.startsWith('.')) {
            const to = layerOf(path.resolve(path.dirname(file), specifier), root);
            if (!to) return;
            const rule = LAYERS[from];
            if (rule.may.includes(to) || (typeOnly && rule.typesOnly?.includes(to))) return;
            const types = rule.typesOnly?.includes(to) ? ' except for types (import type)' : '';
            context.report({ node, message: `src/${from}/ may not import src/${to}/${types}: ${from} may import ${rule.may.join(', ')}.` });
            return;
          }
          const name = specifier.startsWith('node:') ? specifier : packageName(specifier);
          if (NO_NODE.has(from) && (name.startsWith('node:') || BUILTINS.has(specifier))) {
            context.report({ node, message: `src/${from}/ runs where Node's APIs do not exist or must stay pure: no ${specifier}.` });
            return;
          }
          const limited = PACKAGES.find((p) => p.test(name));
          if (limited && !limited.layers.includes(from) && !typeOnly) {
            context.report({ node, message: `src/${from}/ may not load ${name}: ${limited.why}.` });
          }
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
          ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
          CallExpression: (node) => {
            if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value, false);
          },
        };
      },
    },
  },
};
