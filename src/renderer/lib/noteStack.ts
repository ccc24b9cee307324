/**
 * How many notifications show and how many are kept, in one rule: at most SHOWN show, so that they
 * never cover the view; the older wait behind "+N more", which unfolds them in place. As many again
 * may wait: beyond that, the oldest of those that fade anyway go first, so that a burst of them (Ctrl+Z
 * held down) does not pile up. Failures are never dropped: they stay until dismissed.
 */

export const SHOWN = 3;

/** How many of `count` notifications, the oldest, wait behind "+N more". */
export const waitingCount = (count: number): number => Math.max(0, count - SHOWN);

/** `notes` (oldest first) with `note` added last, by the rule above; a null `fadeSeconds` is a failure's (lasting). */
export function withNote<Note extends { fadeSeconds: number | null }>(notes: Note[], note: Note): Note[] {
  const kept = [...notes];
  const fading = kept.filter((n) => n.fadeSeconds !== null);
  while (waitingCount(kept.length + 1) > SHOWN && fading.length) kept.splice(kept.indexOf(fading.shift()!), 1);
  return [...kept, note];
}
