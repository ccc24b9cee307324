/**
 * Starting a worker process is the one thing that differs between Electron (utilityProcess) and
 * plain Node (child_process.fork). The job runner sees only this interface.
 */
import { fork } from 'node:child_process';

export interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type LaunchWorker = (script: string, env: NodeJS.ProcessEnv) => WorkerHandle;

export const forkWorker: LaunchWorker = (script, env) => {
  const child = fork(script, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    send: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  };
};
