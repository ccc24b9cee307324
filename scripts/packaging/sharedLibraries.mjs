// Linux checks of the native files a package unpacks: built for this machine's architecture, and
// every shared library they link found (ldd), as the dynamic loader of a user's machine would.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** ELF e_machine values of the architectures Node names. */
const ELF_MACHINES = { x64: 0x3e, arm64: 0xb7, ia32: 0x03, arm: 0x28 };

/** The architecture an ELF file is for (Node's name, or `machine 0x..`), or null when it is not ELF. */
export function elfArchitecture(file) {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 20, 0) < 20) return null;
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return null;
  const machine = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
  return Object.keys(ELF_MACHINES).find((arch) => ELF_MACHINES[arch] === machine) ?? `machine 0x${machine.toString(16)}`;
}

/** The libraries `file` links that the loader cannot find (ldd's "not found" lines). */
export function missingLibraries(file) {
  const output = execFileSync('ldd', [file], { encoding: 'utf8' });
  return output.split('\n').filter((line) => line.includes('not found')).map((line) => line.trim());
}
