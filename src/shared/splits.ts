/**
 * Train / validation / test assignment. A photo's automatic split starts as a pure function of its
 * content hash and the project's seed — so it does not change when other photos are added, and
 * every class is split in the configured ratios in expectation — and is then repaired so that
 * every class stays measurable: a class with at least three photos has at least one in each
 * split. Splits given by folders or pinned by the user are kept as they are.
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

/** Folder names that say a split, in the common spellings (compared in lower case). */
const SPLIT_FOLDER_NAMES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  training_set: 'train',
  train_set: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  validation_set: 'validation',
  val_set: 'validation',
  dev: 'validation',
  test: 'test',
  testing: 'test',
  test_set: 'test',
  eval: 'test',
  evaluation: 'test',
};

/** The split a folder's name says, if it says one ("Training_Set" → train). */
export function splitOfFolderName(name: string): Split | null {
  return SPLIT_FOLDER_NAMES[name.toLowerCase().replace(/[\s-]+/g, '_')] ?? null;
}

/**
 * Reads the ImageFolder layout of a file found under an imported folder: `cats/x.jpg` gives the
 * label "cats"; a level named like a split (train, val, test_set…) gives the split — also when it
 * is the imported folder itself (importing `…/train` and `…/val` as two folders). A photo directly
 * in the imported folder has no label.
 */
export function labelFromFolders(relativePath: string, importedFolderName = ''): { label: string | null; split: Split | null } {
  const folders = relativePath.split(/[\\/]+/).filter(Boolean).slice(0, -1);
  const split = [importedFolderName, ...folders].map(splitOfFolderName).findLast((s) => s !== null) ?? null;
  const parent = folders.at(-1);
  const label = parent !== undefined && splitOfFolderName(parent) === null ? parent : null;
  return { label, split };
}

/** A photo as the split repair sees it. */
export interface SplitMember {
  id: number;
  hash: string;
  split: Split;
  /** Only automatic splits may be moved; folder-given and pinned ones are the user's. */
  movable: boolean;
}

/** Which splits a class of `count` photos must have, at least one photo each. */
export function requiredSplits(count: number): Split[] {
  if (count >= 3) return ['train', 'validation', 'test'];
  // Two photos: one to learn from, one to measure; early stopping then holds out from train.
  if (count === 2) return ['train', 'test'];
  return count === 1 ? ['train'] : [];
}

/**
 * The moves that make one class measurable: for each required split the class lacks, the movable
 * photo of the fullest split that lies nearest to the missing split's range moves there. Pure and
 * deterministic; returns [photo id, new split] pairs (none when the class is fine).
 */
export function repairClassSplits(members: SplitMember[], seed: number): [number, Split][] {
  const bySplit = new Map<Split, SplitMember[]>(SPLITS.map((s) => [s, members.filter((m) => m.split === s)]));
  const moves: [number, Split][] = [];
  for (const missing of requiredSplits(members.length)) {
    if (bySplit.get(missing)!.length) continue;
    const donors = SPLITS.filter((s) => s !== missing && bySplit.get(s)!.filter((m) => m.movable).length > 0 && bySplit.get(s)!.length > (requiredSplits(members.length).includes(s) ? 1 : 0));
    const donor = donors.sort((a, b) => bySplit.get(b)!.length - bySplit.get(a)!.length)[0];
    if (!donor) continue; // everything is the user's choice: readiness says what is missing
    // The photo whose position is nearest the missing split's range moves, so that the choice is stable.
    const target = missing === 'train' ? 0 : missing === 'validation' ? 0.75 : 1;
    const candidates = bySplit.get(donor)!.filter((m) => m.movable);
    const chosen = candidates.reduce((best, m) => (Math.abs(splitPosition(m.hash, seed) - target) < Math.abs(splitPosition(best.hash, seed) - target) ? m : best));
    bySplit.set(donor, bySplit.get(donor)!.filter((m) => m !== chosen));
    bySplit.get(missing)!.push({ ...chosen, split: missing });
    moves.push([chosen.id, missing]);
  }
  return moves;
}

/** The split a group of near-identical photos is kept in: the most held-out of its members', so no copy of a test photo is trained on. */
export function groupSplit(splits: Split[]): Split {
  if (splits.includes('test')) return 'test';
  if (splits.includes('validation')) return 'validation';
  return 'train';
}
