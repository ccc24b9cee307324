/**
 * The Library's import form as the person left it, kept while the project is open: leaving the
 * view, or an import that fails or finds no photos, never loses what they typed. The folders are
 * cleared only once an import started from here has brought photos in, and only while they are
 * still that import's folders (the next ones may have been typed while it ran).
 */
import type { Job } from '../../../shared/api/jobs';
import { broughtPhotos, sameFolders, unfinished } from './importQueue';

interface StartedImport {
  id: number;
  scope: Job['scope'];
  folders: string[];
}

class ImportDraft {
  private project: string | null = null;
  folders = $state<string[]>(['']);
  folderLabels = $state(true);
  /** Imports started from the form that had not ended when last looked at. */
  private started = $state<StartedImport[]>([]);

  /** The folders chosen: typed, trimmed, without the empty fields. */
  get chosen(): string[] {
    return this.folders.map((f) => f.trim()).filter(Boolean);
  }

  /** Starts afresh for another project: its imports and folders are not this one's. */
  open(project: string): void {
    if (this.project === project) return;
    this.project = project;
    this.folders = [''];
    this.folderLabels = true;
    this.started = [];
  }

  remember(job: Job, folders: string[]): void {
    this.started = [...this.started, { id: job.id, scope: job.scope, folders }];
  }

  /** Clears the folders once an import started from here with these very folders has brought photos in. */
  follow(jobs: readonly Job[]): void {
    const ended = this.started.flatMap((start) => {
      const job = jobs.find((j) => j.id === start.id && j.scope === start.scope);
      return job && !unfinished(job) ? [{ start, job }] : [];
    });
    if (!ended.length) return; // no write: the effect that calls this reads what it would write
    for (const { start, job } of ended) if (broughtPhotos(job) && sameFolders(this.chosen, start.folders)) this.folders = [''];
    this.started = this.started.filter((start) => !ended.some((e) => e.start === start));
  }
}

export const importDraft = new ImportDraft();
