// A stand-in for the Electron executable, for machines where the Electron runtime cannot be
// downloaded (dist:check): electron-builder copies it into the package like the real one
// (-c.electronDist) and sets its fuses, and it runs the way Graft's `graft` command uses
// Electron — as Node (ELECTRON_RUN_AS_NODE=1) — honouring the fuses that decide that.
import fs from 'node:fs';
import path from 'node:path';
import { builderRequire } from './packTarget.mjs';

const { SENTINEL } = builderRequire('@electron/fuses/dist/constants');

/**
 * Electron's default fuse wire (version 1, nine fuses): RunAsNode on, EnableCookieEncryption
 * off, EnableNodeOptionsEnvironmentVariable on, EnableNodeCliInspectArguments on,
 * EnableEmbeddedAsarIntegrityValidation off, OnlyLoadAppFromAsar off,
 * LoadBrowserProcessSpecificV8Snapshot off, GrantFileProtocolExtraPrivileges on, WasmTrapHandlers on.
 */
const DEFAULT_WIRE = '101100011';

/** Writes `<dir>/electron`; returns its path. */
export function writeStandInElectron(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'electron');
  const script = `#!${process.execPath}
// dist:check's stand-in for Electron (see scripts/packaging/standInElectron.mjs): Node plays
// Electron running as Node. The fuse wire at the end of this file is read back at run time.
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const self = fs.readFileSync(__filename);
// The sentinel is written in two halves here: @electron/fuses must find it once, before the wire.
const wire = self.subarray(self.lastIndexOf(${JSON.stringify(SENTINEL.slice(0, 16))} + ${JSON.stringify(SENTINEL.slice(16))}) + ${SENTINEL.length + 2});
const fuse = (index) => wire[index] === 0x31;
if (process.env.ELECTRON_RUN_AS_NODE !== '1' || !fuse(0)) {
  console.error('This is a stand-in for Electron: it cannot open a window, only run as Node (ELECTRON_RUN_AS_NODE=1, RunAsNode fuse on).');
  process.exit(1);
}
const env = { ...process.env };
if (!fuse(2)) delete env.NODE_OPTIONS;
const run = spawnSync(process.execPath, process.argv.slice(2), { stdio: 'inherit', env });
process.exit(run.status ?? 1);
// fuses: `;
  fs.writeFileSync(file, Buffer.concat([Buffer.from(script), Buffer.from(SENTINEL), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE), Buffer.from('\n')]));
  fs.chmodSync(file, 0o755);
  return file;
}
