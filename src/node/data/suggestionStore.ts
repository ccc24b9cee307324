/** A trained model's guesses for unlabelled photos, offered to the user as labels. */
import type { Sqlite } from './sqlite';

export interface Suggestion {
  imageId: number;
  /** The run that made it; null for a model exported from another project. */
  runId: number | null;
  classId: number;
  confidence: number;
  /** Top probability minus the second: small means unsure (the "label next" order). */
  margin: number;
}

export class SuggestionStore {
  constructor(private readonly db: Sqlite) {}

  /** Replaces every suggestion by these (a new suggest job). */
  replaceAll(suggestions: Iterable<Suggestion>): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM suggestions').run();
      this.upsert(suggestions);
    })();
  }

  /** Adds or replaces the suggestions of these photos, in one transaction. */
  upsert(suggestions: Iterable<Suggestion>): void {
    const store = this.db.prepare(
      `INSERT INTO suggestions (image_id, run_id, class_id, confidence, margin) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET run_id = excluded.run_id, class_id = excluded.class_id, confidence = excluded.confidence, margin = excluded.margin`,
    );
    this.db.transaction(() => {
      for (const s of suggestions) store.run(s.imageId, s.runId, s.classId, s.confidence, s.margin);
    })();
  }
}
