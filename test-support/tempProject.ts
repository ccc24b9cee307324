import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ExaminedFile } from '../src/node/data/importStore';
import { createProject, type Project } from '../src/node/data/project';
import type { Split } from '../src/shared/splits';
import { makeTempDir } from './tempDir';

/**
 * A new empty project, in a new temporary folder, for each test of the calling file; closed and
 * removed after each. Read `project` and `dir` inside tests and hooks: they change every test.
 */
export function useTempProject(): { readonly project: Project; readonly dir: string } {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let project: Project | undefined;
  beforeEach(() => {
    temp = makeTempDir();
    project = createProject(path.join(temp.dir, 'p.graft'));
  });
  afterEach(() => {
    project?.close();
    temp?.remove();
    project = temp = undefined;
  });
  return {
    get project() {
      if (!project) throw new Error('useTempProject: the project exists only inside a test or hook');
      return project;
    },
    get dir() {
      if (!temp) throw new Error('useTempProject: the folder exists only inside a test or hook');
      return temp.dir;
    },
  };
}

/**
 * What an import records for a new 10x10 JPEG photo that was never on disk, by its content hash:
 * for store tests that need photos, not files. A split given is the folder's; none, an automatic one.
 */
export function newPhotoRow(hash: string, path: string, options: { label?: string | null; split?: Split } = {}): ExaminedFile {
  return {
    kind: 'new',
    path,
    hash,
    size: 1,
    mtimeMs: 0,
    width: 10,
    height: 10,
    format: 'jpeg',
    phash: null,
    label: options.label ?? null,
    split: options.split ?? 'train',
    splitSource: options.split ? 'folder' : 'auto',
  };
}
