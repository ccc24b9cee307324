/**
 * Undoes (or redoes) this window's last labelling — never one made from the CLI or another window:
 * Ctrl+Z in the Label view and the photo viewer's Undo. Says so when there is nothing to undo;
 * returns how many photos changed (null: the call failed, and the error was shown).
 */
import { app } from './appState.svelte';
import { client } from './client';
import { notifications } from './notifications.svelte';
import { windowOrigin } from './origin';

export async function undoLabelling(redo = false): Promise<number | null> {
  const changed = await app.attempt(() => client.call(redo ? 'labels.redo' : 'labels.undo', { origin: windowOrigin }));
  if (changed === 0) {
    notifications.push({ tone: 'info', title: redo ? 'Nothing to redo' : 'Nothing to undo', text: redo ? 'There is no undone labelling to redo.' : 'This window has no labelling left to undo. Labels made from the command line or another window are undone there.' });
  }
  return changed;
}
