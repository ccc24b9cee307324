/** `graft serve`: the app in the browser mode — the service with a warm job worker, behind the HTTP/WebSocket transport. */
import { forkWorker, warmLauncher } from '../app/jobs/workerLauncher';
import { startServer } from '../app/server/httpServer';
import { GraftService } from '../app/service/graftService';
import { distPath } from '../node/paths';

export async function serveBrowserMode(options: { port: number; project?: string }) {
  const workers = warmLauncher(forkWorker);
  // "Try it" starts its own process: the warm spare is kept for the next job.
  const service = new GraftService({ kind: 'browser', launchWorker: workers.launch, launchPredictor: forkWorker });
  if (options.project) await service.openProject(options.project);
  const server = await startServer({ service, rendererDir: distPath('renderer'), port: options.port });
  return {
    url: server.url,
    port: server.port,
    async stop() {
      await server.close();
      await service.shutdown();
      workers.stop();
    },
  };
}
