// electron-builder's afterPack hook: every native module in the package must load in the
// packaged Electron. A module built for another ABI fails the build. When Electron's headers
// could not be downloaded (better-sqlite3 then ships Node's build), the package is marked
// NOT-RELEASABLE.txt and the build fails too, unless GRAFT_ALLOW_UNVERIFIED_ABI=1
// (`npm run dist:check -- --allow-unverified-abi`, for CI machines without internet).
import fs from 'node:fs';
import path from 'node:path';
import { checkNativeAbis } from './nativeAbi.mjs';
import { packTarget } from './packTarget.mjs';

export const NOT_RELEASABLE = 'NOT-RELEASABLE.txt';
const SQLITE_BINARY = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

export default async function afterPack(context) {
  const target = packTarget(context);
  const unpacked = path.join(target.resourcesDir, 'app.asar.unpacked');
  if (!fs.existsSync(path.join(unpacked, SQLITE_BINARY))) throw new Error(`The package has no ${SQLITE_BINARY}: Graft could open no project (is electron-builder.yml's copy from ${target.nativeDir} still there?).`);

  const { expected, results, failures } = checkNativeAbis(unpacked, target.electronVersion);
  console.log(`  • native modules against Electron ${target.electronVersion} (ABI ${expected}):`);
  for (const result of results) console.log(`      ${result.line}`);

  const status = JSON.parse(fs.readFileSync(path.join(target.nativeDir, 'status.json'), 'utf8'));
  const onlyTheUnbuiltSqlite = !status.built && failures.every((failure) => failure.file === SQLITE_BINARY);
  if (failures.length > 0 && !onlyTheUnbuiltSqlite) {
    throw new Error(`${failures.length} native module(s) in ${unpacked} would not load in Electron ${target.electronVersion}:\n${failures.map((failure) => failure.line).join('\n')}`);
  }
  if (status.built) return;

  const sqlite = results.find((result) => result.file === SQLITE_BINARY);
  const sqliteBuild = sqlite.found.kind === 'abi' ? `ABI ${sqlite.found.abi}` : sqlite.found.kind;
  const sentence = `NOT RELEASABLE: ${status.reason}; better-sqlite3 in this package is Node's build (${sqliteBuild}), Electron ${target.electronVersion} needs ABI ${expected}.`;
  fs.writeFileSync(path.join(target.appOutDir, NOT_RELEASABLE), `${sentence}\nPackage again where Electron's headers can be downloaded (npm run dist).\n`);
  console.log(`  • ${sentence}`);
  if (process.env.GRAFT_ALLOW_UNVERIFIED_ABI === '1') {
    console.log(`  • continuing because --allow-unverified-abi was given: ${path.join(target.appOutDir, NOT_RELEASABLE)} marks this package.`);
    return;
  }
  throw new Error(`Not releasable (the line above says why). To check everything else without internet: npm run dist:check -- --allow-unverified-abi.`);
}
