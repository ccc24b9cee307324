/**
 * Electron entry: one hardened window on Graft's own `graft-app://` origin, the IPC transport,
 * native dialogs, and jobs in Electron utility processes. Everything else is shared with the
 * browser mode through GraftService. One Graft runs per data folder: a second one hands its
 * command line (a project file) to the first and quits before it starts anything.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL, IPC_EVENT } from '../shared/api/ipcChannels';
import { setLogFolder } from '../node/log';
import { distPath } from '../node/paths';
import { GraftService } from '../app/service/graftService';
import { resolveImageRequest } from '../app/server/imageRoutes';
import { contentSecurityPolicy } from '../shared/securityPolicy';
import { APP_ORIGIN, APP_SCHEME, isAppPageUrl, projectFileArgument } from './launchArguments';
import { warmLauncher } from '../app/jobs/workerLauncher';
import { launchUtilityProcess } from './utilityProcessLauncher';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (process.env.GRAFT_HOME) app.setPath('userData', path.resolve(process.env.GRAFT_HOME));
setLogFolder(path.join(app.getPath('userData'), 'logs'));
// Without the lock another Graft runs on this data folder and receives our command line (its
// 'second-instance' event): this one quits at once, having opened no database and no window.
if (app.requestSingleInstanceLock()) startGraft();
else app.quit();

function startGraft(): void {
  let window: BrowserWindow | null = null;
  let ready = false;
  /** A project named before the window existed: on the command line, or macOS's open-file at launch. */
  let pendingProject = projectFileArgument(process.argv, process.cwd());

  const workers = warmLauncher(launchUtilityProcess);
  const service = new GraftService({
    kind: 'electron',
    // A worker waits, loaded, for the next job; "Try it" starts its own.
    launchWorker: workers.launch,
    launchPredictor: launchUtilityProcess,
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
        const chosen = await dialog.showOpenDialog(window!, { title: 'Choose a folder', properties: ['openDirectory', 'createDirectory'] });
        return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
      },
      async chooseFile({ title, filters }) {
        const chosen = await dialog.showOpenDialog(window!, { title: title ?? 'Choose a file', filters, properties: ['openFile'] });
        return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
      },
      async chooseSaveLocation({ title, defaultName, filters }) {
        const chosen = await dialog.showSaveDialog(window!, { title: title ?? 'Save as', defaultPath: defaultName, filters, properties: ['createDirectory', 'showOverwriteConfirmation'] });
        return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
      },
      reveal(file) {
        shell.showItemInFolder(file);
      },
    },
  }, app.getPath('userData'));

  const showWindow = (): void => {
    if (!window) window = createWindow(() => (window = null));
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  /** Opens a project the system handed us (a second instance, a double-clicked file). */
  const openProjectFile = (file: string): void => {
    if (!ready) {
      pendingProject = file;
      return;
    }
    showWindow();
    service.openProject(file).catch((error: unknown) => dialog.showErrorBox('Cannot open the project', `${file}: ${error instanceof Error ? error.message : String(error)}`));
  };

  service.subscribe((event) => window?.webContents.send(IPC_EVENT, event));

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = projectFileArgument(argv, workingDirectory);
    if (file) openProjectFile(file);
    else if (ready) showWindow();
  });
  // macOS: a .graft file opened in the Finder or dropped on the Dock icon, at launch or later.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openProjectFile(file);
  });

  void app.whenReady().then(() => {
    harden(service, () => window);
    serveRenderer(service);
    window = createWindow(() => (window = null));
    ready = true;
    if (pendingProject) openProjectFile(pendingProject);
    pendingProject = null;
  });

  app.on('window-all-closed', () => app.quit());

  let shuttingDown = false;
  app.on('before-quit', (event) => {
    if (shuttingDown) return;
    shuttingDown = true;
    event.preventDefault();
    void service.shutdown().finally(() => {
      workers.stop();
      app.quit();
    });
  });
}

function serveRenderer(service: GraftService): void {
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

/** Navigation of any kind (link, script, server redirect, subframe) stays on Graft's own pages. */
function keepOnAppPages(event: { url: string; preventDefault(): void }): void {
  if (!isAppPageUrl(event.url)) event.preventDefault();
}

function harden(service: GraftService, currentWindow: () => BrowserWindow | null): void {
  // Graft asks for no permission: every request and every check (what a page can query
  // without asking, e.g. navigator.permissions) is denied, and so is every device.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', keepOnAppPages);
    contents.on('will-redirect', keepOnAppPages);
    contents.on('will-frame-navigate', keepOnAppPages);
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  ipcMain.handle(IPC_CALL, (event, method: unknown, params: unknown) => {
    // Only Graft's own page, in Graft's own window, may call the API.
    if (!isAppPageUrl(event.senderFrame?.url ?? '') || event.sender !== currentWindow()?.webContents) {
      return { ok: false, error: { code: 'unauthorized', message: 'Request from an unknown page refused.' } };
    }
    return service.call(method, params);
  });
}

function createWindow(onClosed: () => void): BrowserWindow {
  const window = new BrowserWindow({
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
  window.once('ready-to-show', () => window.show());
  window.on('closed', onClosed);
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
