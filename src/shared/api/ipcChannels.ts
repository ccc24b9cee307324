/** IPC channel names shared by the preload and the main process. */
export const IPC_CALL = 'graft:call';
export const IPC_EVENT = 'graft:event';
