/** Starts a job worker as an Electron utility process (Node without the window's privileges). */
import { utilityProcess } from 'electron';
import type { LaunchWorker } from '../app/jobs/workerLauncher';

export const launchUtilityProcess: LaunchWorker = (script, env) => {
  const child = utilityProcess.fork(script, [], { env, serviceName: 'Graft job', stdio: 'inherit' });
  return {
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    // A utility process reports only its exit code; a crash (a signal) shows as a non-zero code.
    onExit: (listener) => child.on('exit', (code) => listener(code, null)),
    kill: () => void child.kill(),
  };
};
