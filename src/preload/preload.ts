/**
 * Electron preload (sandboxed, context-isolated). It exposes only a two-function transport and the
 * path of a dropped file to the page: no Node, no ipcRenderer. Types and validation live in
 * src/shared and the main side.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT } from '../shared/api/ipcChannels';

const transport = {
  invoke: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_CALL, method, params),
  subscribe(listener: (message: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('graftTransport', transport);

// A file or folder dropped on the window carries its path only here (a page never sees it): the
// renderer asks for it, and the main side gets it as a path the person chose by dropping it.
contextBridge.exposeInMainWorld('graftFiles', { pathForFile: (file: File): string => webUtils.getPathForFile(file) });
