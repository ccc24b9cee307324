/**
 * Entry of the `graft` command (dist/cli.cjs). A command that runs a job forks its worker first;
 * the rest of the CLI (main.ts) loads after that, beside the worker loading its own code.
 */
import { forkWorkerAhead } from './workerAhead';

forkWorkerAhead(process.argv.slice(2));
void import('./main');
