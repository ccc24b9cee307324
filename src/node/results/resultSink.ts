/** Where classification results go, chunk by chunk: the project's store, or a CSV/JSON Lines file. */

/** Best guesses, best first: [class index, probability]. */
export type TopGuesses = [number, number][];

export interface PhotoOutcome {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string | null;
  top: TopGuesses | null;
  error: string | null;
}

export interface ResultSink {
  /** True when this file, with this size and modification time, already has a result. */
  hasUnchanged(file: string, size: number, mtimeMs: number): boolean;
  /** The result for the same content found at another path, if any. */
  byHash(hash: string): TopGuesses | undefined;
  /** Stores a chunk of results (one transaction, or one append). */
  write(outcomes: PhotoOutcome[]): void;
}
