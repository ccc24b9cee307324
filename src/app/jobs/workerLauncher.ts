/**
 * Starting a worker process is the one thing that differs between Electron (utilityProcess) and
 * plain Node (child_process.fork). The job runner sees only this interface.
 */
import { fork } from 'node:child_process';

export interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The exit code, or the signal that killed it (a code is then null). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
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
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
};

/**
 * A launcher that keeps one worker started ahead of the next job (warm): loading a worker's code
 * — TensorFlow.js, onnxruntime — takes about two seconds, which the user then never waits for.
 * A job takes the waiting worker and the next one starts. `stop` ends the waiting one.
 */
export function warmLauncher(launch: LaunchWorker): { launch: LaunchWorker; stop(): void } {
  let spare: { script: string; env: NodeJS.ProcessEnv; handle: WorkerHandle; exited: boolean } | null = null;
  const start = (script: string, env: NodeJS.ProcessEnv) => {
    const handle = launch(script, env);
    const entry = { script, env, handle, exited: false };
    handle.onExit(() => (entry.exited = true));
    return entry;
  };
  return {
    launch(script, env) {
      const ready = spare && spare.script === script && !spare.exited && sameEnvironment(spare.env, env) ? spare.handle : null;
      if (!ready) spare?.handle.kill();
      const handle = ready ?? launch(script, env);
      spare = start(script, env);
      return handle;
    },
    stop() {
      spare?.handle.kill();
      spare = null;
    },
  };
}

/** A warm worker has the environment it was started with; a job asking for another one gets a fresh worker. */
function sameEnvironment(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
