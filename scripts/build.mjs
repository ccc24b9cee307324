// Builds everything the app runs: the main-side bundles (Electron main, CLI, job worker, the
// network's thread, the head's row-product thread, predictor, preload) with esbuild, and the
// renderer with Vite. `node scripts/build.mjs --main` skips the renderer.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const onlyMain = process.argv.includes('--main');
const require = createRequire(import.meta.url);

// tfjs-core's gradient and chained-op registrations exist only as ES modules inside its dist/
// (see src/worker/ml/tensorflow.ts): they are bundled into the worker, every other package stays
// external.
const bundleTfjsRegistrations = {
  name: 'bundle-tfjs-registrations',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\// }, (args) => ({ path: require.resolve(args.path, { paths: [args.resolveDir] }) }));
  },
};

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Dependencies stay in node_modules: several are native (better-sqlite3, sharp) or load files.
  packages: 'external',
  logLevel: 'warning',
  absWorkingDir: root,
};

const started = Date.now();
// Everything in dist/ ships in the app (electron-builder.yml): bundles left by an older build or a
// bench must not.
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'dist'))) if (/\.cjs(\.map)?$/.test(file)) fs.rmSync(path.join(root, 'dist', file));
await Promise.all([
  build({ ...nodeBundle, entryPoints: { 'electron-main': 'src/electron-main/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } }),
  build({ ...nodeBundle, plugins: [bundleTfjsRegistrations], entryPoints: { cli: 'src/cli/cli.ts', worker: 'src/worker/main.ts', predictor: 'src/worker/predictor.ts', 'inference-thread': 'src/worker/pipeline/inferenceThread.ts', 'row-product-thread': 'src/worker/ml/rowProductThread.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } }),
  // A sandboxed preload can require only 'electron': everything else is bundled in.
  build({ ...nodeBundle, packages: undefined, external: ['electron'], entryPoints: { preload: 'src/preload/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } }),
]);
if (!onlyMain) await viteBuild({ configFile: path.join(root, 'src', 'renderer', 'vite.config.ts'), logLevel: 'warn' });
console.log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)}s`);
