/** Projects, the recent list and what the app is running in. */
import { z } from 'zod';


export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
});
export type ProjectInfo = z.infer<typeof ProjectInfo>;

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
  /** False when the file has been moved or deleted since it was last opened. */
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof RecentProject>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Which shell the user interface runs in; the renderer uses it only to word things. */
  shell: z.enum(['electron', 'browser']),
  /** Native open/save dialogs exist only in Electron; the browser mode asks for typed paths. */
  nativeDialogs: z.boolean(),
  platform: z.string(),
  homeDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** The app's own settings (the user's, across projects). */
export const AppSettings = z.object({
  /** Where networks run: the GPU when one can be used ('auto'), or always the CPU. */
  compute: z.enum(['auto', 'cpu']).default('auto'),
});
export type AppSettings = z.output<typeof AppSettings>;

/** The end of the app's log file, for "Show log" (file null: this process keeps no log file). */
export const LogTail = z.object({ file: z.string().nullable(), lines: z.array(z.string()) });
export type LogTail = z.infer<typeof LogTail>;
