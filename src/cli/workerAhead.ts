/**
 * The job worker a command forks before the rest of the CLI loads (see cli.ts): the worker's code
 * loads (~0.35 s) while the command's does (~0.15 s) and opens the project. Only what forking needs
 * is imported here.
 */
import { aheadLauncher, type LaunchWorker } from '../app/jobs/workerLauncher';
import { distPath } from '../node/paths';

/** Commands whose action always runs a job. */
const JOB_COMMANDS = new Set(['import', 'train', 'classify', 'suggest', 'compare', 'hash', 'export']);

let ahead: { launch: LaunchWorker; stop(): void } | null = null;

/** Forks the worker when these arguments name a command that runs a job (and not its help). */
export function forkWorkerAhead(args: string[]): void {
  if (args.some((arg) => ['-h', '--help', '-v', '--version'].includes(arg))) return;
  // The global options take no value: the first word that is not an option is the command.
  const command = args.find((arg) => !arg.startsWith('-'));
  if (!command || !JOB_COMMANDS.has(command)) return;
  // The environment the job will ask for: `--cpu` is applied the same way by the command's hook.
  ahead = aheadLauncher(distPath('worker.cjs'), args.includes('--cpu') ? { ...process.env, GRAFT_COMPUTE: 'cpu' } : { ...process.env });
}

/** The worker forked ahead, for the command's service (once); null when there is none. */
export function takeWorkerAhead(): { launch: LaunchWorker; stop(): void } | null {
  const taken = ahead;
  ahead = null;
  return taken;
}
