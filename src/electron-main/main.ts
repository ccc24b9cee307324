/**
 * Electron entry: one hardened window on Graft's own `graft-app://` origin, the IPC transport,
 * native dialogs, and jobs in Electron utility processes. Everything else is shared with the
 * browser mode through GraftService.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL, IPC_EVENT } from '../shared/api/ipcChannels';
import { setLogFolder } from '../node/log';
import { distPath } from '../node/paths';
import { GraftService } from '../app/service/graftService';
import { resolveImageRequest } from '../app/server/imageRoutes';
import { contentSecurityPolicy } from '../shared/securityPolicy';
import { launchUtilityProcess } from './utilityProcessLauncher';

const APP_SCHEME = 'graft-app';
const APP_ORIGIN = `${APP_SCHEME}://renderer`;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (process.env.GRAFT_HOME) app.setPath('userData', path.resolve(process.env.GRAFT_HOME));
setLogFolder(path.join(app.getPath('userData'), 'logs'));
if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | null = null;

const service = new GraftService({
  kind: 'electron',
  launchWorker: launchUtilityProcess,
  dialogs: {
    async chooseProjectFile(mode) {
      const filters = [{ name: 'Graft project', extensions: ['graft'] }];
      if (mode === 'create') {
        const chosen = await dialog.showSaveDialog(window!, { title: 'Create a Graft project', filters, defaultPath: 'Photos.graft' });
        return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
      }
      const chosen = await dialog.showOpenDialog(window!, { title: 'Open a Graft project', filters, properties: ['openFile'] });
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
    async chooseFolder() {
      const chosen = await dialog.showOpenDialog(window!, { title: 'Choose a folder', properties: ['openDirectory'] });
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
  },
}, app.getPath('userData'));

function serveRenderer(): void {
  const root = distPath('renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const image = await resolveImageRequest(service, pathname);
    if (image) return new Response(new Uint8Array(image.body), { headers: { 'content-type': image.contentType } });
    const file = path.resolve(root, pathname === '/' ? 'index.html' : decodeURIComponent(pathname).slice(1));
    if (!file.startsWith(root + path.sep)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', contentSecurityPolicy());
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function harden(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  ipcMain.handle(IPC_CALL, (event, method: unknown, params: unknown) => {
    // Only Graft's own page, in Graft's own window, may call the API.
    if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`) || event.sender !== window?.webContents) {
      return { ok: false, error: { code: 'unauthorized', message: 'Request from an unknown page refused.' } };
    }
    return service.call(method, params);
  });
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Graft',
    show: false,
    backgroundColor: '#15171c',
    webPreferences: {
      preload: distPath('preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
}

service.subscribe((event) => window?.webContents.send(IPC_EVENT, event));

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

void app.whenReady().then(async () => {
  harden();
  serveRenderer();
  createWindow();
  const projectArg = process.argv.find((arg) => arg.endsWith('.graft'));
  if (projectArg) await service.openProject(projectArg).catch((error: unknown) => dialog.showErrorBox('Cannot open project', String(error)));
});

app.on('window-all-closed', () => app.quit());

let shuttingDown = false;
app.on('before-quit', (event) => {
  if (shuttingDown) return;
  shuttingDown = true;
  event.preventDefault();
  void service.shutdown().finally(() => app.quit());
});
