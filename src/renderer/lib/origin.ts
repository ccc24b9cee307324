/**
 * This window's origin id, sent with every label change, undo and redo: Ctrl+Z undoes what this
 * window did, never a label made from the CLI or another window. Kept in the session, so a
 * reload is still the same window.
 */
const KEY = 'graft.origin';

function newOrigin(): string {
  const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `window-${id}`;
}

export const windowOrigin: string = sessionStorage.getItem(KEY) ?? newOrigin();
sessionStorage.setItem(KEY, windowOrigin);
