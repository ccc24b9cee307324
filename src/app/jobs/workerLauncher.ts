/**
 * Starting a worker process is the one thing that differs between Electron (utilityProcess) and
 * plain Node (child_process.fork). The job runner sees only this interface.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface WorkerHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The exit code, or the signal that killed it (a code is then null). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}

export type LaunchWorker = (script: string, env: NodeJS.ProcessEnv) => WorkerHandle;

export const forkWorker: LaunchWorker = (script, env) => workerHandle(forkChild(script, env));

function forkChild(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return fork(script, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function workerHandle(child: ChildProcess): WorkerHandle {
  return {
    send: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
}

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

/**
 * A launcher holding one worker forked now, for the first job that asks (a CLI command's one job):
 * the worker loads its code (~0.35 s) while the command loads its own and opens the project, not
 * after. Until a job takes it, it does not keep this process alive. A job asking for another
 * script or environment gets a fresh worker and the one forked ahead ends, as does one nobody
 * took, at `stop`.
 */
export function aheadLauncher(script: string, env: NodeJS.ProcessEnv): { launch: LaunchWorker; stop(): void } {
  const child = forkChild(script, env);
  child.unref();
  child.channel?.unref();
  let waiting = true;
  child.on('exit', () => (waiting = false));
  return {
    launch(asked, askedEnv) {
      const take = waiting && asked === script && sameEnvironment(env, askedEnv);
      if (!take && waiting) child.kill('SIGKILL');
      waiting = false;
      if (!take) return forkWorker(asked, askedEnv);
      child.ref();
      child.channel?.ref();
      return workerHandle(child);
    },
    stop() {
      if (waiting) child.kill('SIGKILL');
      waiting = false;
    },
  };
}
