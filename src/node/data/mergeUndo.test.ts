/** Found by the API fuzz test (seeds 1 and 4): undo after merging classes must not fail on the class the merge removed. */
import { describe, expect, it } from 'vitest';
import { useTempProject } from '../../../test-support/tempProject';

const scratch = useTempProject();


describe('undo after a merge', () => {
  it('undoes the labelling before the merge, and never brings back the merged class', () => {
    const insertImage = scratch.project.db.prepare(`INSERT INTO images (hash, name, width, height, format, bytes, added_at, split) VALUES (?, ?, 10, 10, 'jpeg', 1, '2026-01-01', 'train')`);
    const [a, b] = ['a.jpg', 'b.jpg'].map((name, i) => Number(insertImage.run(String(i).repeat(64), name).lastInsertRowid));
    const library = scratch.project.stores.library;
    const cat = library.createClass('cat');
    const kitten = library.createClass('kitten');
    library.setLabels([a], cat.id);
    library.setLabels([b], kitten.id);
    library.mergeClasses(kitten.id, cat.id);
    // The merge removed "kitten": its labelling cannot be replayed; the one before it can.
    expect(library.undo()).toBe(1);
    expect(scratch.project.db.prepare('SELECT class_id FROM images ORDER BY name').pluck().all()).toEqual([null, cat.id]);
    expect(library.classes().map((c) => c.name)).toEqual(['cat']);
    expect(library.redo()).toBe(1);
  });
});
