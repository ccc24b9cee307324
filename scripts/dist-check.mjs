// `npm run dist:check [-- --allow-unverified-abi]`: builds the Linux package folder (the `dir`
// target of electron-builder.yml) with a stand-in for the Electron executable — here the Electron
// runtime cannot be downloaded — and checks what would ship: native modules unpacked, for this
// platform only, every shared library they link found, their ABI Electron's, nothing that is
// never loaded (source maps, C sources, tests, docs, unused TensorFlow.js parts), the payload
// under 200 MB, the fuses set, the `graft` launcher there and working, the app's code loading
// and running from the package, and node_modules' own better-sqlite3 still Node's.
// --allow-unverified-abi lets a machine without internet pass although Electron's headers, and
// so Electron's build of better-sqlite3, could not be had (the package is then marked
// NOT-RELEASABLE.txt and this says so).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NOT_RELEASABLE } from './packaging/afterPack.mjs';
import { checkNativeAbis, filesUnder } from './packaging/nativeAbi.mjs';
import { contentProblems, isNativeName, listShippedFiles, shippedPart } from './packaging/packageContents.mjs';
import { runPackagedCli } from './packaging/packagedCliRun.mjs';
import { builderRequire, root } from './packaging/packTarget.mjs';
import { elfArchitecture, missingLibraries } from './packaging/sharedLibraries.mjs';
import { writeStandInElectron } from './packaging/standInElectron.mjs';

const MAX_PAYLOAD_BYTES = 200e6;
/** The fuses Graft's security needs (electron-builder.yml sets them; the package must have them). */
const REQUIRED_FUSES = {
  RunAsNode: true,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
};

const allowUnverifiedAbi = process.argv.includes('--allow-unverified-abi');
const problems = [];
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const section = (title) => console.log(`\n${title}`);

if (process.platform !== 'linux') {
  console.error(`dist:check builds and checks the Linux package; this is ${process.platform}. Use npm run dist here.`);
  process.exit(1);
}
const started = Date.now();
const config = builderRequire('js-yaml').load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const out = path.join(root, 'release', 'check');
const appOutDir = path.join(out, 'linux-unpacked');
const resourcesDir = path.join(appOutDir, 'resources');
const unpackedDir = path.join(resourcesDir, 'app.asar.unpacked');
const executableName = config.linux.executableName;

// 1. The package, as `npm run dist` would make its Linux folder, with the stand-in Electron.
fs.rmSync(out, { recursive: true, force: true });
const standIn = path.dirname(writeStandInElectron(path.join(root, 'release', 'stand-in-electron')));
console.log(`Packaging Graft ${version} for Electron ${electronVersion} (stand-in executable, linux-${process.arch} dir target)…`);
const builder = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), '--linux', 'dir', '--config', 'electron-builder.yml', `-c.electronDist=${standIn}`, `-c.directories.output=${out}`], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, GRAFT_ALLOW_UNVERIFIED_ABI: allowUnverifiedAbi ? '1' : '0' },
});
if (builder.status !== 0) {
  console.error(`\ndist:check FAILED: electron-builder exited with ${builder.status ?? builder.signal} (its last lines above say why).`);
  process.exit(1);
}

// 2. What ships, and what never should.
const files = listShippedFiles(resourcesDir);
const parts = new Map();
for (const file of files) parts.set(shippedPart(file), (parts.get(shippedPart(file)) ?? 0) + file.size);
const payload = files.reduce((sum, file) => sum + file.size, 0);
section(`What ships (resources/, without Electron): ${files.length} files, ${mb(payload)}`);
const sortedParts = [...parts].sort((a, b) => b[1] - a[1]);
for (const [part, bytes] of sortedParts.filter(([, bytes]) => bytes >= 100e3)) console.log(`  ${mb(bytes).padStart(9)}  ${part}`);
const small = sortedParts.filter(([, bytes]) => bytes < 100e3);
console.log(`  ${mb(small.reduce((sum, [, bytes]) => sum + bytes, 0)).padStart(9)}  ${small.length} smaller parts: ${small.map(([part]) => part.replace('node_modules/', '')).join(', ')}`);
if (payload > MAX_PAYLOAD_BYTES) problems.push(`the payload is ${mb(payload)}, over ${mb(MAX_PAYLOAD_BYTES)}`);
const content = contentProblems(files);
problems.push(...content);
console.log(content.length ? `  FAIL ${content.length} file(s) that should not ship (listed at the end)` : '  ok   no source maps, C sources, TypeScript, tests, docs or unused TensorFlow.js parts; no native code inside app.asar');

// 3. Native code: this platform's only, every library it links found, Electron's ABI.
section('Native code under app.asar.unpacked');
const nativeFiles = filesUnder(unpackedDir).filter(isNativeName);
for (const file of nativeFiles) {
  const full = path.join(unpackedDir, file);
  const arch = elfArchitecture(full);
  const missing = arch === process.arch ? missingLibraries(full) : [];
  const problem = arch !== process.arch ? `built for ${arch ?? 'another platform (not ELF)'}, not linux-${process.arch}` : missing.length ? `ldd: ${missing.join(', ')}` : null;
  if (problem) problems.push(`${file}: ${problem}`);
  console.log(`  ${problem ? 'FAIL' : 'ok  '} ${file}${problem ? `: ${problem}` : ' (ELF ' + arch + ', every linked library found)'}`);
}
if (!nativeFiles.some((file) => file.includes('sharp-libvips'))) problems.push("sharp's libvips is not unpacked (asarUnpack node_modules/@img/**)");
const abis = checkNativeAbis(unpackedDir, electronVersion);
console.log(`  ABI, against Electron ${electronVersion} (ABI ${abis.expected}, from node-abi and the electron package):`);
for (const result of abis.results) console.log(`    ${result.line}`);
const notReleasable = path.join(appOutDir, NOT_RELEASABLE);
const unverified = fs.existsSync(notReleasable) ? fs.readFileSync(notReleasable, 'utf8').split('\n')[0] : null;
if (abis.failures.length && !(unverified && allowUnverifiedAbi)) problems.push(...abis.failures.map((failure) => failure.line));

// 4. node_modules' better-sqlite3 is still Node's (packaging never rebuilds it in place).
const nodeSqlite = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').close()"], { cwd: root, encoding: 'utf8' });
if (nodeSqlite.status !== 0) problems.push(`node_modules/better-sqlite3 no longer loads in Node: ${nodeSqlite.stderr.trim().split('\n')[0]}`);
console.log(`  ${nodeSqlite.status === 0 ? 'ok  ' : 'FAIL'} node -e "require('better-sqlite3')(':memory:')" still works (node_modules untouched)`);

// 5. Fuses, as electron-builder set them in the executable.
section(`Electron fuses in ${executableName}`);
const wire = await builderRequire('@electron/fuses').getCurrentFuseWire(path.join(appOutDir, executableName));
const { FuseV1Options } = builderRequire('@electron/fuses');
for (const [name, wanted] of Object.entries(REQUIRED_FUSES)) {
  const actual = wire[FuseV1Options[name]] === 0x31;
  if (actual !== wanted) problems.push(`fuse ${name} is ${actual ? 'on' : 'off'}, Graft needs it ${wanted ? 'on' : 'off'}`);
  console.log(`  ${actual === wanted ? 'ok  ' : 'FAIL'} ${name}: ${actual ? 'on' : 'off'}`);
}

// 6. The `graft` command: in the package, and in the deb as /usr/bin/graft.
section('The graft command');
const launcher = path.join(resourcesDir, 'bin', 'graft');
const launcherOk = fs.existsSync(launcher) && (fs.statSync(launcher).mode & 0o111) !== 0;
if (!launcherOk) problems.push('resources/bin/graft is missing or not executable');
const debMapping = (config.deb?.fpm ?? []).find((arg) => arg.endsWith('=/usr/bin/graft'));
const debScript = debMapping && path.join(root, debMapping.split('=')[0]);
const debTarget = `/opt/${config.productName}/resources/bin/graft`;
const debOk = debScript && fs.existsSync(debScript) && (fs.statSync(debScript).mode & 0o111) !== 0 && fs.readFileSync(debScript, 'utf8').includes(debTarget);
if (!debOk) problems.push(`the deb's /usr/bin/graft (deb.fpm in electron-builder.yml) must be an executable script calling ${debTarget}`);
console.log(`  ${launcherOk ? 'ok  ' : 'FAIL'} resources/bin/graft`);
console.log(`  ${debOk ? 'ok  ' : 'FAIL'} the deb installs /usr/bin/graft → ${debTarget}`);

// 7. The code runs from the package (Node standing in for Electron).
section('Running the packaged CLI (stand-in Electron = Node)');
const cli = await runPackagedCli({ appOutDir, resourcesDir, executableName, version });
for (const line of cli.lines) console.log(`  ${line}`);
for (const problem of cli.problems) console.log(`  FAIL ${problem}`);
problems.push(...cli.problems);

section(`Checked in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
if (unverified) console.log(`${unverified}${allowUnverifiedAbi ? ' (allowed by --allow-unverified-abi)' : ''}`);
if (problems.length) {
  console.error(`dist:check FAILED (${problems.length}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
console.log(`dist:check passed: ${appOutDir} (${mb(payload)} without Electron)${unverified ? ', NOT RELEASABLE as said above' : ''}.`);
