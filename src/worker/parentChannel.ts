/**
 * How a worker process talks to the main side, whichever started it: Electron's utilityProcess
 * gives process.parentPort (messages wrapped in { data }); child_process.fork gives process.send.
 */
interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
}

const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

export function sendToParent(message: unknown): void {
  if (electronPort) electronPort.postMessage(message);
  else if (process.connected) process.send?.(message);
}

/** Sends the last message and exits once it has left this process. */
export function sendAndExit(message: unknown, code = 0): void {
  if (electronPort) {
    electronPort.postMessage(message);
    setTimeout(() => process.exit(code), 50);
  } else if (process.connected) {
    process.send?.(message, () => process.exit(code));
  } else {
    process.exit(code);
  }
}

export function onParentMessage(listener: (message: unknown) => void): void {
  if (electronPort) electronPort.on('message', (event) => listener((event as { data: unknown }).data));
  else process.on('message', listener);
}
