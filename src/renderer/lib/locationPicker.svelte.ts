/**
 * Choosing a folder, a file or where to save one. The desktop app asks the system's own dialogs;
 * the browser mode shows Graft's chooser (components/shell/FileChooser.svelte), which the main
 * side serves one folder listing at a time. Either way the person chooses the path.
 */
import type { FileFilter } from '../../shared/api/files';
import { app } from './appState.svelte';
import { client } from './client';

export type LocationKind = 'folder' | 'file' | 'save';

export interface ChooseOptions {
  kind: LocationKind;
  title: string;
  /** Files offered (file and save): extensions without the dot. */
  filter?: FileFilter;
  /** Save: the name suggested. */
  defaultName?: string;
  /** Where the chooser starts: a path already typed, if any. */
  start?: string;
  /** A project file: the desktop app's project dialogs. */
  project?: 'create' | 'open';
}

export interface ChooserRequest extends ChooseOptions {
  resolve(path: string | null): void;
}

class LocationPicker {
  /** The open chooser of the browser mode, if any. */
  request = $state<ChooserRequest | null>(null);

  async choose(options: ChooseOptions): Promise<string | null> {
    if (app.info?.nativeDialogs) {
      if (options.project) return client.call('dialog.chooseProjectFile', { mode: options.project });
      if (options.kind === 'folder') return client.call('dialog.chooseFolder', {});
      const filters = options.filter ? [options.filter] : [];
      if (options.kind === 'file') return client.call('dialog.chooseFile', { title: options.title, filters });
      return client.call('dialog.chooseSaveLocation', { title: options.title, defaultName: options.defaultName, filters });
    }
    this.request?.resolve(null);
    return new Promise((resolve) => (this.request = { ...options, resolve }));
  }

  /** The chooser closed: with the chosen path (remembered for next time), or null. */
  finish(path: string | null): void {
    const request = this.request;
    this.request = null;
    request?.resolve(path);
    if (path) void client.call('files.remember', { path }).catch(() => {});
  }
}

export const locationPicker = new LocationPicker();
