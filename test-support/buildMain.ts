// Job tests fork the real worker bundle (dist/worker.cjs): build the main-side bundles first.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main'], { stdio: 'inherit' });
}
