// Which runtime a native module (.node) is built for, read from the file itself, and which ABI
// an Electron version needs. Used by the afterPack hook (every `npm run dist`) and dist:check.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The ABI (NODE_MODULE_VERSION) Electron `version` loads native modules of. Two sources must
 * agree: node-abi's registry — the copy @electron/rebuild builds with — and, when it is the same
 * version, the abi_version file the electron package ships. Throws a sentence when either
 * does not know the version or they differ.
 */
export function electronAbi(version) {
  const nodeAbi = createRequire(require.resolve('@electron/rebuild'))('node-abi');
  let fromRegistry;
  try {
    fromRegistry = Number(nodeAbi.getAbi(version, 'electron'));
  } catch (error) {
    throw new Error(`node-abi does not know Electron ${version} (${error.message}): update @electron/rebuild before packaging this Electron.`);
  }
  const electronPackage = path.dirname(require.resolve('electron/package.json'));
  const installed = JSON.parse(fs.readFileSync(path.join(electronPackage, 'package.json'), 'utf8')).version;
  const declaredFile = path.join(electronPackage, 'abi_version');
  if (installed === version && fs.existsSync(declaredFile)) {
    const declared = Number(fs.readFileSync(declaredFile, 'utf8').trim());
    if (declared !== fromRegistry) throw new Error(`Electron ${version} declares ABI ${declared} (${declaredFile}) but node-abi says ${fromRegistry}: update @electron/rebuild.`);
  }
  return fromRegistry;
}

/**
 * What a native module is built for, from its exported symbol names (present as text in ELF,
 * Mach-O and PE files alike): { kind: 'abi', abi } for a module built against one runtime's V8
 * (`node_register_module_v<ABI>`), { kind: 'napi' } for a Node-API module (any runtime), or
 * { kind: 'unknown' }.
 */
export function nativeModuleAbi(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const abi = /node_register_module_v(\d+)/.exec(text);
  if (abi) return { kind: 'abi', abi: Number(abi[1]) };
  if (text.includes('napi_register_module_v1')) return { kind: 'napi' };
  return { kind: 'unknown' };
}

/** Every file under `dir` (recursively), as paths relative to it. */
export function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

/**
 * Checks every .node file under `dir` against Electron `version`: one line per module and the
 * modules that would not load in it.
 */
export function checkNativeAbis(dir, version) {
  const expected = electronAbi(version);
  const results = filesUnder(dir).filter((file) => file.endsWith('.node')).map((file) => {
    const found = nativeModuleAbi(path.join(dir, file));
    const ok = found.kind === 'napi' || (found.kind === 'abi' && found.abi === expected);
    const built = found.kind === 'napi' ? 'Node-API (any runtime)' : found.kind === 'abi' ? `ABI ${found.abi}` : 'an unknown ABI (no registration symbol found)';
    return { file, ok, found, line: `${ok ? 'ok  ' : 'FAIL'} ${file}: ${built}${ok ? '' : `, Electron ${version} needs ABI ${expected}`}` };
  });
  return { expected, results, failures: results.filter((result) => !result.ok) };
}
