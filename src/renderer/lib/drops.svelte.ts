/**
 * Folders and files dropped on the window. In the desktop app a dropped item's path is known
 * (the preload asks Electron for it); a browser never tells a page where a dropped folder is, so
 * there the person is told so and offered the chooser instead.
 */
import type { ViewId } from './appState.svelte';

declare global {
  interface Window {
    graftFiles?: { pathForFile(file: File): string };
  }
}

/** The paths of the dropped items, or null where the shell cannot know them (the browser). */
export function droppedPaths(event: DragEvent): string[] | null {
  const files = [...(event.dataTransfer?.files ?? [])];
  if (!window.graftFiles) return null;
  return files.map((file) => window.graftFiles!.pathForFile(file)).filter(Boolean);
}

/** Whether a drag carries files or folders from outside (not photos dragged within Graft). */
export function carriesFiles(event: DragEvent): boolean {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

export const BROWSER_DROP_MESSAGE = 'Your browser does not tell Graft where a dropped folder is. Choose it with Browse… instead (in the desktop app, dropping works).';

class Drops {
  /** Folders dropped on the window in the desktop app, for the view that takes them (Library imports, Classify classifies). */
  pending = $state<{ view: ViewId; paths: string[] } | null>(null);

  take(view: ViewId): string[] {
    if (this.pending?.view !== view) return [];
    const { paths } = this.pending;
    this.pending = null;
    return paths;
  }
}

export const drops = new Drops();
