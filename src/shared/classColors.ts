/** Distinct, readable colours for classes, assigned in order; users can recolour. */
export const CLASS_PALETTE = ['#2f7d5b', '#c2410c', '#1d4ed8', '#a21caf', '#b45309', '#0e7490', '#be123c', '#4d7c0f', '#6d28d9', '#475569'];

export function classColor(index: number): string {
  return CLASS_PALETTE[index % CLASS_PALETTE.length];
}
