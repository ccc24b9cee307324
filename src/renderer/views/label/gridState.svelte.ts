/**
 * State of the labelling grid: the filter, the ordered ids that match it, the details of photos
 * loaded (by id) as their rows scroll into view, the cursor and the selection. Kept apart from components so
 * the keyboard, the grid and the class panel share one source of truth.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { ClassInfo, ImageQuery, LibraryImage } from '../../../shared/api/library';
import type { Split } from '../../../shared/splits';
import { app } from '../../lib/appState.svelte';
import { client } from '../../lib/client';
import { windowOrigin } from '../../lib/origin';
import { undoLabelling } from '../../lib/undoLabelling';

export const PAGE_SIZE = 200;

export type Filter = Pick<ImageQuery, 'classId' | 'split' | 'folder' | 'search' | 'sort' | 'suggested'>;

class GridState {
  filter = $state<Filter>({ sort: 'name' });
  /** Raw, not deeply reactive: 100,000 ids behind a proxy make every key press slow; the list is only ever replaced. */
  ids = $state.raw<number[]>([]);
  /** Details of the photos loaded so far, by id: ids can be removed from the list without reloading. */
  items = $state<Record<number, LibraryImage>>({});
  classes = $state<ClassInfo[]>([]);
  unlabelled = $state(0);
  folders = $state<string[]>([]);
  cursor = $state(0);
  /** Selected photo ids (not indexes: they survive reloads and re-sorting). */
  readonly selected = new SvelteSet<number>();
  anchor = $state<number | null>(null);
  loading = $state(false);
  private generation = 0;
  private pending = new Set<number>();
  private visibleRange: [number, number] = [0, PAGE_SIZE - 1];
  /** Counts label actions: a reload that started before the latest one is stale (another follows it). */
  private labelEpoch = 0;

  get total(): number {
    return this.ids.length;
  }

  itemAt(index: number): LibraryImage | undefined {
    return this.items[this.ids[index]];
  }

  classById(id: number | null): ClassInfo | undefined {
    return id === null ? undefined : this.classes.find((c) => c.id === id);
  }

  /** Reloads everything for the current filter; keeps the selection of photos still shown. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const epoch = this.labelEpoch;
    this.loading = true;
    const query = $state.snapshot(this.filter);
    const [firstPage, ids, summary] = await Promise.all([
      client.call('library.page', { ...query, offset: 0, limit: PAGE_SIZE }),
      client.call('library.ids', query),
      client.call('library.summary', {}),
    ]);
    if (generation !== this.generation || epoch !== this.labelEpoch) return;
    this.pending.clear();
    this.items = Object.fromEntries(firstPage.items.map((item) => [item.id, item]));
    this.ids = ids;
    this.classes = summary.classes;
    this.unlabelled = summary.unlabelled;
    this.folders = summary.folders;
    const present = new Set(ids);
    for (const id of [...this.selected]) if (!present.has(id)) this.selected.delete(id);
    this.cursor = Math.min(this.cursor, Math.max(0, ids.length - 1));
    this.loading = false;
  }

  /**
   * After labels change: when the filter or the order depends on labels, everything reloads;
   * otherwise the same photos stay in the same places, so only the loaded pages and the counts
   * are fetched again (cheap with 100k photos, so fast labelling never waits on a reload).
   */
  async refreshLabels(): Promise<void> {
    if (this.filter.classId !== undefined || this.filter.suggested || this.filter.sort === 'class' || this.filter.sort === 'uncertainty') return this.reload();
    const generation = this.generation;
    const query = $state.snapshot(this.filter);
    const [first, last] = this.visibleRange;
    const pages: number[] = [];
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) pages.push(page);
    const [summary, ...loaded] = await Promise.all([
      client.call('library.summary', {}),
      ...pages.map((page) => client.call('library.page', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE })),
    ]);
    if (generation !== this.generation) return;
    this.classes = summary.classes;
    this.unlabelled = summary.unlabelled;
    for (const result of loaded) for (const item of result.items) this.items[item.id] = item;
  }

  /** Loads the pages that hold rows [first, last] if they are not loaded yet. */
  ensureLoaded(firstIndex: number, lastIndex: number): void {
    this.visibleRange = [firstIndex, lastIndex];
    const generation = this.generation;
    for (let page = Math.floor(firstIndex / PAGE_SIZE); page <= Math.floor(lastIndex / PAGE_SIZE); page++) {
      const from = page * PAGE_SIZE;
      if (from >= this.total || this.pending.has(page)) continue;
      const complete = this.ids.slice(Math.max(from, firstIndex), Math.min(from + PAGE_SIZE, lastIndex + 1)).every((id) => this.items[id]);
      if (complete) continue;
      this.pending.add(page);
      void client.call('library.page', { ...$state.snapshot(this.filter), offset: from, limit: PAGE_SIZE }).then((result) => {
        this.pending.delete(page);
        if (generation !== this.generation) return;
        for (const item of result.items) this.items[item.id] = item;
      });
    }
  }

  setFilter(change: Partial<Filter>): void {
    this.filter = { ...this.filter, ...change };
    this.cursor = 0;
    this.anchor = null;
    this.selected.clear();
    void this.reload();
  }

  /**
   * Moves the cursor. `keep` leaves the selection as it is (arrows); `cursor` clears it (a plain
   * click: the photo under the cursor is what number keys label, and they move on); `extend`
   * selects the range from the anchor, as shift does; `replace` selects just this photo.
   */
  moveTo(index: number, mode: 'replace' | 'extend' | 'keep' | 'cursor' = 'keep'): void {
    if (this.total === 0) return;
    const target = Math.max(0, Math.min(this.total - 1, index));
    if (mode === 'cursor') {
      this.anchor = target;
      this.selected.clear();
    } else if (mode === 'extend') {
      const anchor = this.anchor ?? this.cursor;
      this.anchor = anchor;
      this.selected.clear();
      const [from, to] = anchor < target ? [anchor, target] : [target, anchor];
      for (let i = from; i <= to; i++) this.selected.add(this.ids[i]);
    } else if (mode === 'replace') {
      this.anchor = target;
      this.selected.clear();
      this.selected.add(this.ids[target]);
    }
    this.cursor = target;
  }

  toggle(index: number): void {
    const id = this.ids[index];
    if (id === undefined) return;
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.anchor = index;
    this.cursor = index;
  }

  selectAll(): void {
    for (const id of this.ids) this.selected.add(id);
  }

  /** The photos an action applies to: the selection, or else the photo under the cursor. */
  targets(): number[] {
    if (this.selected.size) return [...this.selected];
    const id = this.ids[this.cursor];
    return id === undefined ? [] : [id];
  }

  /** Whether an action on these photos is one photo at the cursor: it moves on afterwards, as in a review queue. */
  private isCursorPhoto(ids: number[]): boolean {
    return ids.length === 1 && ids[0] === this.ids[this.cursor];
  }

  /** Labels photos (the selection, else the cursor's); returns how many changed (null: not saved, and the error is shown). */
  async label(classId: number | null, ids = this.targets()): Promise<number | null> {
    if (!ids.length) return 0;
    this.labelEpoch++;
    // Labelling the photo under the cursor moves on to the next — in every case, also when it was
    // clicked (selected alone). The cursor moves at once, not after the save, so that fast typing
    // labels consecutive photos. A photo that leaves the filter leaves the list below, which moves on too.
    const leaves = this.filter.classId !== undefined && this.filter.classId !== classId;
    if (this.isCursorPhoto(ids)) {
      this.selected.clear();
      if (!leaves) this.cursor = Math.min(this.cursor + 1, this.total - 1);
    }
    // Show the change at once; the reload that follows the save confirms it. Photos that leave the
    // filter (labelling the unlabelled) leave the list now, so the next key press acts on the next one.
    const countsKnown = this.relabelShown(ids, () => classId);
    if (leaves) {
      const leaving = new Set(ids);
      this.ids = this.ids.filter((id) => !leaving.has(id));
      for (const id of leaving) this.selected.delete(id);
      this.cursor = Math.min(this.cursor, Math.max(0, this.total - 1));
    }
    const saved = await app.attempt(() => client.call('labels.set', { imageIds: ids, classId, origin: windowOrigin }));
    if (saved === null) await this.reload(); // not saved: show what the project really holds
    else if (!countsKnown) await this.refreshCounts();
    return saved;
  }

  /**
   * Gives loaded photos their new labels and moves the class counts with them, at once; returns
   * false when some photos were not loaded (their old labels, hence the counts, are not known here).
   */
  private relabelShown(ids: number[], newClass: (id: number) => number | null): boolean {
    let known = true;
    const move = (classId: number | null, delta: number) => {
      if (classId === null) this.unlabelled += delta;
      else {
        const cls = this.classes.find((c) => c.id === classId);
        if (cls) cls.count += delta;
      }
    };
    for (const id of ids) {
      const item = this.items[id];
      if (!item) {
        known = false;
        continue;
      }
      const to = newClass(id);
      move(item.classId, -1);
      move(to, 1);
      item.classId = to;
    }
    return known;
  }

  /** The class counts from the project (after changes this window could not count itself). */
  private async refreshCounts(): Promise<void> {
    const summary = await app.attempt(() => client.call('library.summary', {}));
    if (!summary) return;
    this.classes = summary.classes;
    this.unlabelled = summary.unlabelled;
  }

  /** Accepts the suggested labels of the selection (or the photo under the cursor). */
  async acceptSuggestions(): Promise<void> {
    const ids = this.targets().filter((id) => this.items[id]?.suggestedClassId != null);
    if (!ids.length) return;
    this.labelEpoch++;
    const leaves = this.filter.suggested || this.filter.classId === 'unlabelled';
    if (this.isCursorPhoto(ids)) {
      this.selected.clear();
      if (!leaves) this.cursor = Math.min(this.cursor + 1, this.total - 1);
    }
    if (leaves) {
      const leaving = new Set(ids);
      this.ids = this.ids.filter((id) => !leaving.has(id));
      for (const id of leaving) this.selected.delete(id);
      this.cursor = Math.min(this.cursor, Math.max(0, this.total - 1));
    }
    const countsKnown = this.relabelShown(ids, (id) => this.items[id].suggestedClassId ?? null);
    const saved = await app.attempt(() => client.call('suggestions.accept', { imageIds: ids, origin: windowOrigin }));
    if (saved === null) await this.reload();
    else if (!countsKnown) await this.refreshCounts();
  }

  async pinSplit(split: Split | null): Promise<void> {
    const ids = this.targets();
    if (ids.length) await app.attempt(() => client.call('splits.pin', { imageIds: ids, split }));
  }

  /** Undoes (or redoes) this window's last labelling — never one made from the CLI or another window. */
  async undo(redo = false): Promise<void> {
    await undoLabelling(redo);
  }

  async labelWithSlot(slot: number): Promise<void> {
    const cls = this.classes[slot - 1];
    if (cls) await this.label(cls.id);
  }
}

export const grid = new GridState();
