// Proves a package's code loads and works: the package's files (app.asar extracted to a folder
// of the same name, so plain Node can read it) are run through the package's own `graft`
// launcher and the stand-in Electron — create a project, import photos (sharp, SQLite, the job
// worker), train from scratch (TensorFlow.js on wasm), and, when a backbone is at hand, train on
// it and classify (onnxruntime).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { nativeModuleAbi } from './nativeAbi.mjs';
import { builderRequire, root } from './packTarget.mjs';

const asar = builderRequire('@electron/asar');
const BACKBONE = 'mobilenet_v2_0.35_224';

/** The folder holding the small test backbone: GRAFT_MODELS_DIR, else ../shared/models; or null. */
export function backboneFolder() {
  const candidates = [process.env.GRAFT_MODELS_DIR, path.join(root, '..', 'shared', 'models')].filter(Boolean);
  return candidates.find((dir) => fs.existsSync(path.join(dir, BACKBONE, 'model.json'))) ?? null;
}

async function writePhotos(dir) {
  const sharp = (await import('sharp')).default;
  for (const [name, base] of [['red', [200, 40, 40]], ['blue', [40, 40, 200]]]) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const pixels = Buffer.alloc(48 * 48 * 3, 0);
      for (let j = 0; j < pixels.length; j++) pixels[j] = Math.max(0, Math.min(255, base[j % 3] + ((j * 7919 + i * 104729) % 61) - 30));
      await sharp(pixels, { raw: { width: 48, height: 48, channels: 3 } }).jpeg().toFile(path.join(dir, name, `${i}.jpg`));
    }
  }
}

/**
 * The packages each bundle of `distDir` requires by name (electron and Node's own excepted) that
 * cannot be found from it: what the Electron main process or the worker would fail on at start.
 */
export function unresolvedRequires(distDir) {
  const missing = [];
  for (const bundle of fs.readdirSync(distDir).filter((file) => file.endsWith('.cjs'))) {
    const requireFromBundle = createRequire(path.join(distDir, bundle));
    const names = new Set([...fs.readFileSync(path.join(distDir, bundle), 'utf8').matchAll(/\brequire\("([^"./][^"]*)"\)/g)].map((match) => match[1]));
    for (const name of names) {
      if (name === 'electron' || name.startsWith('node:') || builtinModules.includes(name)) continue;
      try {
        requireFromBundle.resolve(name);
      } catch {
        missing.push(`dist/${bundle} requires ${name}, which the package does not have`);
      }
    }
  }
  return missing;
}

/**
 * Runs the packaged CLI in a copy of the package made runnable by Node; returns
 * { lines, problems } (what was shown, what failed).
 */
export async function runPackagedCli({ appOutDir, resourcesDir, executableName, version }) {
  const lines = [];
  const problems = [];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'graft-dist-check-'));
  try {
    const app = path.join(temp, 'app');
    fs.mkdirSync(path.join(app, 'resources'), { recursive: true });
    fs.copyFileSync(path.join(appOutDir, executableName), path.join(app, executableName));
    asar.extractAll(path.join(resourcesDir, 'app.asar'), path.join(app, 'resources', 'app.asar'));
    fs.cpSync(path.join(resourcesDir, 'bin'), path.join(app, 'resources', 'bin'), { recursive: true });
    await writePhotos(path.join(temp, 'photos'));
    const missing = unresolvedRequires(path.join(app, 'resources', 'app.asar', 'dist'));
    problems.push(...missing);
    if (!missing.length) lines.push(`ok   every package the bundles require (${fs.readdirSync(path.join(app, 'resources', 'app.asar', 'dist')).filter((f) => f.endsWith('.cjs')).map((f) => f.replace(/\.cjs$/, '')).join(', ')}) is in the package`);

    const env = { ...process.env, GRAFT_HOME: path.join(temp, 'home') };
    delete env.GRAFT_SQLITE_BINDING;
    const sqlite = path.join(app, 'resources', 'app.asar', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const sqliteAbi = nativeModuleAbi(sqlite);
    if (sqliteAbi.kind === 'abi' && sqliteAbi.abi !== Number(process.versions.modules)) {
      // The package carries Electron's build, which Node (standing in for Electron) cannot load.
      env.GRAFT_SQLITE_BINDING = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      lines.push(`SQLite through node_modules' Node build: the package's is Electron's (ABI ${sqliteAbi.abi}).`);
    }
    const project = path.join(temp, 'check.graft');
    const graft = (args, what, check) => {
      const run = spawnSync(path.join(app, 'resources', 'bin', 'graft'), args, { cwd: temp, env, encoding: 'utf8', timeout: 300_000 });
      const output = run.stdout.trim();
      let result;
      try {
        result = args.includes('--json') ? JSON.parse(output) : output;
      } catch {
        result = output;
      }
      const failure = run.status !== 0 ? `exited with ${run.status ?? run.signal}: ${(run.stderr || output).trim().split('\n').slice(-3).join(' | ')}` : check(result);
      if (failure) problems.push(`graft ${args.join(' ')} (${what}): ${failure}`);
      else lines.push(`ok   graft ${args.filter((arg) => !arg.startsWith(temp)).join(' ')}: ${what}`);
      return failure ? null : result;
    };

    graft(['--version'], 'the launcher runs the CLI', (out) => (out === version ? null : `printed "${out}", not ${version}`));
    if (!graft(['--json', 'project', 'create', project, '--name', 'dist check'], 'SQLite', (out) => (out.schemaVersion ? null : 'no project'))) return { lines, problems };
    graft(['--json', '--no-progress', 'import', path.join(temp, 'photos'), '--project', project, '--folder-labels'], 'the job worker, sharp', (out) => (out.added === 16 ? null : `imported ${out.added} of 16 photos`));
    graft(['--json', '--no-progress', 'train', '--scratch', '--epochs', '1', '--project', project], 'TensorFlow.js on wasm', (out) => (out.backend === 'wasm' ? null : `trained on "${out.backend}", not wasm (are the .wasm files there?)`));
    const models = backboneFolder();
    if (!models) {
      lines.push(`skip onnxruntime inference: no ${BACKBONE} in GRAFT_MODELS_DIR or ../shared/models (onnxruntime-node did load: the worker loads it at start).`);
      return { lines, problems };
    }
    env.GRAFT_MODELS_DIR = models;
    const run = graft(['--json', '--no-progress', 'train', '--backbone', BACKBONE, '--epochs', '2', '--project', project], 'backbone features', (out) => (out.runId ? null : 'no run'));
    if (run) graft(['--json', '--no-progress', 'classify', path.join(temp, 'photos'), '--model', String(run.runId), '--project', project], 'onnxruntime in its thread', (out) => (!/onnxruntime/i.test(out.engine ?? '') ? `classified with "${out.engine}", not onnxruntime` : /could not start/.test(out.engine) ? `the network's thread did not start: "${out.engine}"` : null));
    return { lines, problems };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
