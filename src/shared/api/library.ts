/** The photo library: classes, photos, splits, imports. */
import { z } from 'zod';
import { SPLITS } from '../splits';


export const Split = z.enum(SPLITS);

export const ClassInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  color: z.string(),
  position: z.number().int(),
  count: z.number().int(),
});
export type ClassInfo = z.infer<typeof ClassInfo>;

export const ImageQuery = z
  .object({
    classId: z.union([z.number().int(), z.literal('unlabelled')]).optional(),
    split: Split.optional(),
    folder: z.string().optional(),
    search: z.string().max(200).optional(),
    /** Only unlabelled photos with a suggestion. */
    suggested: z.boolean().optional(),
    /** 'uncertainty': the "label next" queue, photos the model is least sure of first. */
    sort: z.enum(['name', 'added', 'class', 'uncertainty']).default('name'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(2000).default(200),
  })
  .strict();
export type ImageQuery = z.output<typeof ImageQuery>;

export const LibraryImage = z.object({
  id: z.number().int(),
  hash: z.string(),
  classId: z.number().int().nullable(),
  split: Split,
  splitSource: z.enum(['auto', 'folder', 'pinned']),
  width: z.number().int(),
  height: z.number().int(),
  path: z.string(),
  name: z.string(),
  /** Every known path of this photo is gone. */
  missing: z.boolean(),
  /** How many paths this photo has (copies in several folders). */
  paths: z.number().int(),
  /** A trained model's guess, for unlabelled photos (graft suggest). */
  suggestedClassId: z.number().int().nullable(),
  suggestionConfidence: z.number().nullable(),
});
export type LibraryImage = z.infer<typeof LibraryImage>;

export const LibraryPage = z.object({ total: z.number().int(), offset: z.number().int(), items: z.array(LibraryImage) });
export type LibraryPage = z.infer<typeof LibraryPage>;

export const ImportConflict = z.object({ kind: z.enum(['split', 'class']), paths: z.array(z.string()), detail: z.string() });
export const NearDuplicates = z.object({ groups: z.number().int(), photos: z.number().int() });

export const LibrarySummary = z.object({
  images: z.number().int(),
  unlabelled: z.number().int(),
  splits: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  missingPaths: z.number().int(),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
  folders: z.array(z.string()),
  classes: z.array(ClassInfo),
  /** Photos met in two split folders or two class folders at import. */
  conflicts: z.array(ImportConflict),
  nearDuplicates: NearDuplicates,
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

/** A library photo's record, for the photo viewer: its content, every file it is at, its size. */
export const PhotoRecord = z.object({
  id: z.number().int(),
  hash: z.string(),
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  format: z.string(),
  bytes: z.number().int(),
  addedAt: z.string(),
  paths: z.array(z.object({ path: z.string(), missing: z.boolean() })),
});
export type PhotoRecord = z.infer<typeof PhotoRecord>;

/** What the photo viewer says about a photo file: where it is, its size, and when and with what it was taken (EXIF). */
export const PhotoDetails = z.object({
  name: z.string(),
  /** The file shown (for a library photo, the first of its paths that is present). */
  path: z.string().nullable(),
  /** Every file with this content (library photos; one for a classified photo). */
  paths: z.array(z.object({ path: z.string(), missing: z.boolean() })),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  format: z.string().nullable(),
  /** The EXIF date it was taken, as written in the photo ("2024-05-01T14:03:22", the camera's local time). */
  takenAt: z.string().nullable(),
  /** The EXIF make and model. */
  camera: z.string().nullable(),
});
export type PhotoDetails = z.infer<typeof PhotoDetails>;

/** How many labelled photos a class has in each split (the Train view's table; readiness is judged on it). */
export const ClassSplitCount = z.object({
  classId: z.number().int(),
  name: z.string(),
  train: z.number().int(),
  validation: z.number().int(),
  test: z.number().int(),
});

export const ImportResult = z.object({
  /** Image files found under the folders. */
  found: z.number().int(),
  /** New photos added to the project. */
  added: z.number().int(),
  /** Photos already in the project found at a new path (a copy, or a moved file). */
  newPaths: z.number().int(),
  unchanged: z.number().int(),
  /** Files that are not images by their extension. */
  skipped: z.number().int(),
  /** Known paths under these folders that are gone now (flagged, labels kept). */
  missing: z.number().int(),
  labelled: z.number().int(),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Photos met in two split folders or two class folders (never resolved silently). */
  conflicts: z.array(ImportConflict),
  /** Groups of near-identical photos in the library (each kept in one split). */
  nearDuplicates: NearDuplicates,
  /** What the split rules changed: copies moved to their group's split, photos moved so every class has each split. */
  splitRepairs: z.object({ joinedGroup: z.number().int(), groupsThatCrossed: z.number().int(), completedClass: z.number().int() }),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const HashFolderResult = z.object({
  files: z.number().int(),
  bytes: z.number(),
  unreadable: z.array(z.object({ path: z.string(), reason: z.string() })),
  duplicateGroups: z.array(z.array(z.string())),
});
export type HashFolderResult = z.infer<typeof HashFolderResult>;

export const ImportParams = z
  .object({
    folders: z.array(z.string().trim().min(1)).min(1, 'Choose at least one folder.'),
    /** ImageFolder layout: the parent folder's name is the label; train/val/test folders set the split. */
    folderLabels: z.boolean(),
  })
  .strict();
export type ImportParams = z.output<typeof ImportParams>;

/** The demo job: content-hash every file under a folder and list byte-identical copies. */
export const HashFolderParams = z.object({ folder: z.string().min(1, 'Choose a folder.') }).strict();
