/**
 * Choosing files and folders. In Electron, native dialogs; in the browser mode a page cannot see
 * the disk, so the main side lists one folder at a time (its subfolders and the files that match)
 * and the person chooses — Graft itself never picks a path.
 */
import { z } from 'zod';

/** File types a chooser offers, as the native dialogs take them. */
export const FileFilter = z.object({ name: z.string().max(100), extensions: z.array(z.string().regex(/^[a-z0-9]{1,10}$/i)).max(20) });
export type FileFilter = z.infer<typeof FileFilter>;

export const FileDialogOptions = z.object({ title: z.string().max(200).optional(), filters: z.array(FileFilter).max(10).default([]) }).strict();
export const SaveDialogOptions = z
  .object({ title: z.string().max(200).optional(), defaultName: z.string().max(255).optional(), filters: z.array(FileFilter).max(10).default([]) })
  .strict();

export const FolderQuery = z
  .object({
    /** An absolute path; the home folder when absent. */
    folder: z.string().max(4096).optional(),
    /** Files with these extensions are listed too (none: folders only). */
    extensions: z.array(z.string().regex(/^[a-z0-9]{1,10}$/i)).max(20).default([]),
    /** Names starting with a dot. */
    hidden: z.boolean().default(false),
  })
  .strict();
export type FolderQuery = z.output<typeof FolderQuery>;

export const FolderEntry = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  /** Files only. */
  bytes: z.number().nullable(),
});
export type FolderEntry = z.infer<typeof FolderEntry>;

export const FolderListing = z.object({
  folder: z.string(),
  /** null at the top of a drive. */
  parent: z.string().nullable(),
  entries: z.array(FolderEntry),
  /** More entries than listed (the first ones are). */
  truncated: z.boolean(),
});
export type FolderListing = z.infer<typeof FolderListing>;

export const Places = z.object({
  home: z.string(),
  /** Folders people keep photos in (Pictures, Desktop…) and the tops of the drives, those that exist. */
  places: z.array(z.object({ name: z.string(), path: z.string() })),
  /** Folders and files chosen lately, newest first. */
  recent: z.array(z.string()),
  /** How paths are written here: the separator. */
  separator: z.enum(['/', '\\']),
});
export type Places = z.infer<typeof Places>;
