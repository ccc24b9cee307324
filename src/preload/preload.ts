/**
 * Electron preload (sandboxed, context-isolated). It exposes only a two-function transport to the
 * page: no Node, no ipcRenderer. Types and validation live in src/shared and the main side.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
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
