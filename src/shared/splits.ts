/**
 * Train / validation / test assignment. Each photo's split is a pure function of its content
 * hash and the project's seed, so it never changes when other photos are added, and every class
 * is split in the configured ratios in expectation (stratified by construction, since the hash is
 * independent of the class). Splits given by folders or pinned by the user are kept as they are.
 */
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

const GOLDEN = 0.6180339887498949;

/** A number in [0, 1) from a hex content hash, shifted by the seed. */
export function splitPosition(hexHash: string, seed: number): number {
  const fromHash = Number.parseInt(hexHash.slice(0, 13), 16) / 2 ** 52;
  return (fromHash + ((seed * GOLDEN) % 1) + 1) % 1;
}

export function autoSplit(hexHash: string, seed: number, ratios: SplitRatios): Split {
  const total = ratios.train + ratios.validation + ratios.test;
  const u = splitPosition(hexHash, seed) * total;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.validation) return 'validation';
  return 'test';
}

const SPLIT_FOLDER_NAMES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

/**
 * Reads the ImageFolder layout from a path relative to the imported folder:
 * `cats/x.jpg` gives the label "cats"; a level named train, val, validation or test gives the
 * split (`train/cats/x.jpg`). A photo directly in the imported folder has no label.
 */
export function labelFromFolders(relativePath: string): { label: string | null; split: Split | null } {
  const parts = relativePath.split(/[\\/]+/).filter(Boolean);
  const folders = parts.slice(0, -1);
  const split = folders.map((f) => SPLIT_FOLDER_NAMES[f.toLowerCase()]).findLast((s) => s !== undefined) ?? null;
  const parent = folders.at(-1);
  const label = parent !== undefined && SPLIT_FOLDER_NAMES[parent.toLowerCase()] === undefined ? parent : null;
  return { label, split };
}
