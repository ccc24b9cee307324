import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { naturalSortKey } from '../../shared/naturalSort';
import { createProject, openProject, type Project } from './project';
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
  library.fillSortKeys(naturalSortKey);
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

  it('undoes only what the same origin (a window, a CLI command) did, and keeps labels changed since by another', () => {
    const cat = library.createClass('cat');
    const dog = library.createClass('dog');
    library.setLabels([ids[0]], cat.id, 'window-a');
    library.setLabels([ids[1]], dog.id, 'cli-1');
    expect(library.undo('window-a')).toBe(1);
    expect(library.page({ sort: 'name', offset: 0, limit: 10 }).items.map((i) => [i.name, i.classId])).toEqual([
      ['a.jpg', dog.id],
      ['b.jpg', null],
      ['c.jpg', null],
    ]);
    expect(library.undo('window-a')).toBe(0);
    // Window B labels a photo that the CLI then relabels: B's undo leaves the CLI's label alone.
    library.setLabels([ids[2]], cat.id, 'window-b');
    library.setLabels([ids[2]], dog.id, 'cli-2');
    expect(library.undo('window-b')).toBe(0);
    expect(library.page({ search: 'c.jpg', sort: 'name', offset: 0, limit: 10 }).items[0].classId).toBe(dog.id);
    // A's redo history survives B's new actions.
    expect(library.redo('window-a')).toBe(1);
  });

  it('labelling that changes nothing (the label a photo has) is no action: the redo history stays', () => {
    const cat = library.createClass('cat');
    library.setLabels([ids[0]], cat.id, 'window-a');
    library.setLabels([ids[1]], cat.id, 'window-a');
    expect(library.undo('window-a')).toBe(1);
    expect(library.setLabels([ids[0]], cat.id, 'window-a')).toBe(0);
    expect(library.acceptSuggestions([ids[0]], 'window-a')).toBe(0);
    expect(library.redo('window-a')).toBe(1);
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

  it('sorts names naturally, also for photos imported before the sort key existed', () => {
    const insert = project.db.prepare(`INSERT INTO images (hash, name, width, height, format, bytes, added_at, split) VALUES (?, ?, 10, 10, 'jpeg', 1, '2026-01-01', 'train')`);
    for (const [i, name] of ['cat.10.jpg', 'cat.2.jpg', 'cat.100.jpg', 'cat.1.jpg'].entries()) insert.run(String(i + 5).repeat(64).slice(0, 64), name);
    const file = project.info.path;
    project.close();
    project = openProject(file);
    library = project.stores.library;
    const names = library.ids({ sort: 'name' }).map((id) => library.photoRecord(id)!.name);
    expect(names).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'cat.1.jpg', 'cat.2.jpg', 'cat.10.jpg', 'cat.100.jpg']);
  });

  it('counts the labelled photos of each class per split', () => {
    const cat = library.createClass('cat');
    const dog = library.createClass('dog');
    library.setLabels([ids[0], ids[1]], cat.id);
    project.stores.splits.pin([ids[1]], 'test', project.stores.settings.splitSettings());
    expect(library.classSplitCounts()).toEqual([
      { classId: cat.id, name: 'cat', train: 1, validation: 0, test: 1 },
      { classId: dog.id, name: 'dog', train: 0, validation: 0, test: 0 },
    ]);
  });

  it('finds photos by their file paths, and says which paths it does not know', () => {
    expect(library.idsForPaths(['/photos/c.jpg', '/elsewhere/x.jpg', '/photos/a.jpg'])).toEqual({ ids: [ids[2], ids[1]], unknown: ['/elsewhere/x.jpg'] });
  });
});
