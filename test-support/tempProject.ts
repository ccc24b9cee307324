import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createProject, type Project } from '../src/node/data/project';
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
