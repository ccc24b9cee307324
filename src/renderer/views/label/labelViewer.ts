/** The photo viewer over the Label view's grid: the same photos in the same order; number keys label, and the grid's cursor follows. */
import { viewer, type ViewerSource } from '../../lib/viewer.svelte';
import { grid } from './gridState.svelte';

const source: ViewerSource = {
  title: 'Your library',
  count: () => grid.total,
  photo(index) {
    const item = grid.itemAt(index);
    if (!item) {
      grid.ensureLoaded(index, index);
      return undefined;
    }
    const cls = grid.classById(item.classId);
    const suggested = item.classId === null ? grid.classById(item.suggestedClassId) : undefined;
    return {
      key: String(item.id),
      src: `./photos/${item.id}.jpg`,
      name: item.name,
      details: { imageId: item.id },
      label: cls ? { name: cls.name, color: cls.color } : null,
      split: { split: item.split, source: item.splitSource },
      guesses: suggested ? [{ label: suggested.name, confidence: item.suggestionConfidence ?? 0 }] : undefined,
      guessedBy: suggested ? 'Suggested by the model' : undefined,
    };
  },
  classes: () => grid.classes.map((c) => ({ name: c.name, color: c.color })),
  keys: 'label',
  async apply(index, slot) {
    const id = grid.ids[index];
    const name = grid.items[id]?.name ?? 'The photo';
    const cls = slot === null ? null : grid.classes[slot - 1];
    if (id === undefined || (slot !== null && !cls)) return null;
    const changed = await grid.label(cls?.id ?? null, [id]);
    if (changed === null) return null;
    // Another window may have given it that label since the viewer showed it: nothing changed here.
    if (changed === 0) return 'unchanged';
    // The grid follows the undo by itself: it shows every label change within a second.
    return { said: `${name} is ${cls ? `labelled ${cls.name}` : 'unlabelled'}.`, undoneSaid: `${name} is back as it was.` };
  },
  moved: (index) => grid.moveTo(index, 'cursor'),
};

export function openLabelViewer(index = grid.cursor): void {
  if (grid.total) viewer.open(source, index);
}
