/**
 * The photo viewer (lightbox), one for the whole app: a view hands it a source — its photos in its
 * order, what number keys do there — and the index to start at. Arrows move, number keys label
 * (or, for classified photos, add them to the library with that label), Escape closes.
 */
import type { Split } from '../../shared/splits';

export interface ViewerPhoto {
  key: string;
  /** The large picture. */
  src: string;
  name: string;
  /** Which photo the file facts (size, EXIF date, camera) are asked for. */
  details: { imageId: number } | { classifiedId: number };
  /** Its label now (null: unlabelled), with the colour of its class; undefined: a photo outside the library, without one. */
  label?: { name: string; color?: string } | null;
  /** What the label is called here ("Class"; "In your library as" for a classified photo). */
  labelTitle?: string;
  split?: { split: Split; source: 'auto' | 'folder' | 'pinned' };
  /** The model's best guesses, best first (a classified photo's top guesses, a suggestion, a run's prediction). */
  guesses?: { label: string; confidence: number }[];
  /** Whose guesses they are, in words ("Run 3 predicted", "Suggested"). */
  guessedBy?: string;
  /** More lines the view wants said ("Labelled cats when run 3 was trained"). */
  notes?: string[];
}

/** What a number key did to a photo, and what undoing it (this window's last labelling) leaves. */
export interface Applied {
  /** A sentence naming the photo ("red.3.jpg is labelled red."). */
  said: string;
  /** The sentence once undone ("red.3.jpg is back as it was."). */
  undoneSaid: string;
  /** After the undo: puts the view's own copy of the photo back as it was. */
  undone?(): void;
}

export interface ViewerSource {
  /** What the person is looking through ("Top losses of run 3"). */
  title: string;
  count(): number;
  /** The photo at an index; undefined while it loads. */
  photo(index: number): ViewerPhoto | undefined;
  /** The classes the number keys 1–9 give, in order. */
  classes(): { name: string; color?: string }[];
  /** 'label': number keys label the photo (0 unlabels); 'add': they add it to the library with that label. */
  keys: 'label' | 'add';
  /**
   * Applies a number key to the photo at `index` (`slot` null: unlabel); returns what it did,
   * 'unchanged' when the photo had that label already (nothing to undo), null when it could not.
   */
  apply(index: number, slot: number | null): Promise<Applied | 'unchanged' | null>;
  /** The viewer moved to `index` (a grid keeps its cursor there). */
  moved?(index: number): void;
}

class Viewer {
  source = $state<ViewerSource | null>(null);
  index = $state(0);

  open(source: ViewerSource, index: number): void {
    this.source = source;
    this.index = index;
  }

  close(): void {
    this.source = null;
  }
}

export const viewer = new Viewer();
