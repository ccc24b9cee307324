import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { createProject, type Project } from './project';
import { LibraryStore } from './libraryStore';

let temp: ReturnType<typeof makeTempDir>;
let project: Project;
let library: LibraryStore;
let ids: number[];

beforeEach(() => {
  temp = makeTempDir();
  project = createProject(path.join(temp.dir, 'p.graft'));
  library = new LibraryStore(project.db);
  const insertImage = project.db.prepare(`INSERT INTO images (hash, name, width, height, format, bytes, added_at, split) VALUES (?, ?, 10, 10, 'jpeg', 1, '2026-01-01', 'train')`);
  const insertPath = project.db.prepare(`INSERT INTO image_paths (path, image_id, folder, name, size, mtime_ms) VALUES (?, ?, '/photos', ?, 1, 0)`);
  ids = ['b.jpg', 'a.jpg', 'c.jpg'].map((name, i) => {
    const id = Number(insertImage.run(String(i).repeat(64), name).lastInsertRowid);
    insertPath.run(`/photos/${name}`, id, name);
    return id;
  });
});
afterEach(() => {
  project.close();
  temp.remove();
});

describe('labels and classes', () => {
  it('labels in one action, and undoes and redoes it', () => {
    const cat = library.createClass('cat');
    expect(library.setLabels(ids, cat.id)).toBe(3);
    expect(library.classes()[0].count).toBe(3);
    expect(library.undo()).toBe(3);
    expect(library.summary().unlabelled).toBe(3);
    expect(library.redo()).toBe(3);
    expect(library.summary().unlabelled).toBe(0);
    expect(library.redo()).toBe(0);
  });

  it('a new action after an undo drops the redo history', () => {
    const cat = library.createClass('cat');
    const dog = library.createClass('dog');
    library.setLabels([ids[0]], cat.id);
    library.undo();
    library.setLabels([ids[1]], dog.id);
    expect(library.redo()).toBe(0);
  });

  it('filters and sorts the grid', () => {
    const cat = library.createClass('cat');
    library.setLabels([ids[0]], cat.id);
    expect(library.page({ sort: 'name', offset: 0, limit: 10 }).items.map((i) => i.name)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(library.page({ classId: 'unlabelled', sort: 'name', offset: 0, limit: 10 }).total).toBe(2);
    expect(library.page({ classId: cat.id, sort: 'name', offset: 0, limit: 10 }).items[0].name).toBe('b.jpg');
    expect(library.page({ search: 'c.j', sort: 'name', offset: 0, limit: 10 }).total).toBe(1);
    expect(library.ids({ sort: 'name' })).toEqual([ids[1], ids[0], ids[2]]);
  });

  it('renames, refuses duplicate names, merges and deletes classes', () => {
    const cat = library.createClass('cat');
    const kitten = library.createClass('kitten');
    expect(() => library.createClass('Cat')).toThrow(/already a class/);
    expect(library.updateClass(kitten.id, { name: 'kitty', color: '#123456' })).toMatchObject({ name: 'kitty', color: '#123456' });
    library.setLabels([ids[0]], kitten.id);
    library.setLabels([ids[1]], cat.id);
    expect(library.mergeClasses(kitten.id, cat.id).count).toBe(2);
    expect(library.classes().map((c) => c.name)).toEqual(['cat']);
    library.deleteClass(cat.id);
    expect(library.summary()).toMatchObject({ unlabelled: 3, classes: [] });
  });

  it('finds photos by their file paths, and says which paths it does not know', () => {
    expect(library.idsForPaths(['/photos/c.jpg', '/elsewhere/x.jpg', '/photos/a.jpg'])).toEqual({ ids: [ids[2], ids[1]], unknown: ['/elsewhere/x.jpg'] });
  });
});
