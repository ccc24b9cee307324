/**
 * Entry of the `graft` command (dist/cli.cjs). A command that runs a job forks its worker first;
 * the rest of the CLI (main.ts) loads after that, beside the worker loading its own code.
 */
import { forkWorkerAhead } from './workerAhead';

forkWorkerAhead(process.argv.slice(2));
import('./main').catch((error: unknown) => {
  // A failure while the CLI loads is a failed command, whatever Node does with unhandled rejections.
  process.stderr.write(`graft: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
