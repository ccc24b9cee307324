/**
 * Which split each photo is in, and the rules that keep the score honest: automatic splits from
 * the content hash and the seed; near-identical photos kept together in one split (the most
 * held-out of theirs); every class measurable (a photo in each split it needs); folder-given and
 * pinned splits left as the user made them. Every change is one transaction.
 */
import { nearDuplicateGroups } from '../../shared/nearDuplicates';
import { autoSplit, groupSplit, repairClassSplits, type Split, type SplitMember } from '../../shared/splits';
import type { SplitSettings } from './settingsStore';
import type { Sqlite } from './sqlite';

/** What enforcing the rules changed. */
export interface SplitRepairs {
  /** Photos moved to join their near-identical copies' split. */
  joinedGroup: number;
  /** Near-duplicate groups whose photos were in more than one split. */
  groupsThatCrossed: number;
  /** Photos moved so that a class has a photo in each split. */
  completedClass: number;
}

export interface NearDuplicateSummary {
  groups: number;
  photos: number;
}

const automatic = (settings: SplitSettings) => (hash: string) => autoSplit(hash, settings.seed, settings.ratios);

export class SplitStore {
  constructor(private readonly db: Sqlite) {}

  /** Pins photos to a split (kept through re-splitting), or gives them back to the automatic one. */
  pin(imageIds: number[], split: Split | null, settings: SplitSettings): void {
    const pin = this.db.prepare(`UPDATE images SET split = ?, split_source = 'pinned' WHERE id = ?`);
    const unpin = this.db.prepare(`UPDATE images SET split = ?, split_source = 'auto' WHERE id = ?`);
    const hashOf = this.db.prepare('SELECT hash FROM images WHERE id = ?').pluck();
    const split_ = automatic(settings);
    this.db.transaction(() => {
      for (const id of imageIds) {
        if (split) pin.run(split, id);
        else {
          const hash = hashOf.get(id) as string | undefined;
          if (hash) unpin.run(split_(hash), id);
        }
      }
      this.enforce(settings, { groups: false, classes: 'all' });
    })();
  }

  /** Re-assigns automatic splits after the ratios or seed change; folder and pinned splits stay. */
  resplit(settings: SplitSettings): SplitRepairs {
    const rows = this.db.prepare(`SELECT id, hash FROM images WHERE split_source = 'auto'`).all() as { id: number; hash: string }[];
    const set = this.db.prepare('UPDATE images SET split = ? WHERE id = ?');
    const split = automatic(settings);
    return this.db.transaction(() => {
      rows.forEach((r) => set.run(split(r.hash), r.id));
      return this.enforce(settings, { groups: true, classes: 'all' });
    })();
  }

  /** Records photos' perceptual hashes (from the import's decode); null for a photo too flat to have one (stored as '', computed). */
  setPerceptualHashes(hashes: { hash: string; phash: string | null }[]): void {
    const set = this.db.prepare('UPDATE images SET phash = ? WHERE hash = ?');
    this.db.transaction(() => hashes.forEach((h) => set.run(h.phash ?? '', h.hash)))();
  }

  /** Content hashes of photos that have no perceptual hash yet (imported before Graft computed them). */
  withoutPerceptualHash(): Set<string> {
    return new Set(this.db.prepare('SELECT hash FROM images WHERE phash IS NULL').pluck().all() as string[]);
  }

  /**
   * Applies the rules: near-duplicate groups recomputed and each kept in one split (after an
   * import or a re-split), then classes made measurable — `classes` limits that to the classes a
   * labelling touched.
   */
  enforce(settings: SplitSettings, scope: { groups: boolean; classes: (number | null)[] | 'all' }): SplitRepairs {
    return this.db.transaction(() => {
      const repairs: SplitRepairs = { joinedGroup: 0, groupsThatCrossed: 0, completedClass: 0 };
      if (scope.groups) this.keepGroupsTogether(repairs);
      this.completeClasses(settings, scope.classes, repairs);
      return repairs;
    })();
  }

  private keepGroupsTogether(repairs: SplitRepairs): void {
    const photos = this.db.prepare(`SELECT id, phash AS hash FROM images WHERE phash <> '' ORDER BY id`).all() as { id: number; hash: string }[];
    const groups = nearDuplicateGroups(photos);
    this.db.prepare('UPDATE images SET near_group = NULL WHERE near_group IS NOT NULL').run();
    const setGroup = this.db.prepare('UPDATE images SET near_group = ? WHERE id = ?');
    for (const [id, group] of groups) setGroup.run(group, id);
    const members = this.db.prepare('SELECT id, split, split_source AS source, near_group AS grp FROM images WHERE near_group IS NOT NULL ORDER BY near_group').all() as { id: number; split: Split; source: string; grp: number }[];
    const moveTo = this.db.prepare('UPDATE images SET split = ? WHERE id = ?');
    const byGroup = new Map<number, typeof members>();
    for (const m of members) byGroup.set(m.grp, [...(byGroup.get(m.grp) ?? []), m]);
    for (const group of byGroup.values()) {
      const target = groupSplit(group.map((m) => m.split));
      if (group.every((m) => m.split === target)) continue;
      repairs.groupsThatCrossed++;
      // A pinned split is the user's explicit choice and stays; folder-given ones yield, as copies across splits are leakage.
      for (const m of group) {
        if (m.split !== target && m.source !== 'pinned') {
          moveTo.run(target, m.id);
          repairs.joinedGroup++;
        }
      }
    }
  }

  private completeClasses(settings: SplitSettings, classIds: (number | null)[] | 'all', repairs: SplitRepairs): void {
    const classes = classIds === 'all' ? (this.db.prepare('SELECT id FROM classes').pluck().all() as number[]) : classIds;
    const countsOf = this.db.prepare(`SELECT split, COUNT(*) AS n FROM images WHERE class_id = ? GROUP BY split`);
    const membersOf = this.db.prepare('SELECT id, hash, split, split_source AS source, near_group AS grp FROM images WHERE class_id = ?');
    const moveTo = this.db.prepare('UPDATE images SET split = ? WHERE id = ?');
    for (const classId of new Set(classes)) {
      if (classId === null) continue;
      // The usual case — every split present — costs one indexed count.
      const counts = countsOf.all(classId) as { split: Split; n: number }[];
      if (counts.length === 3) continue;
      const members: SplitMember[] = (membersOf.all(classId) as { id: number; hash: string; split: Split; source: string; grp: number | null }[]).map((m) => ({
        id: m.id,
        hash: m.hash,
        split: m.split,
        // Grouped photos move only with their group.
        movable: m.source === 'auto' && m.grp === null,
      }));
      for (const [id, split] of repairClassSplits(members, settings.seed)) {
        moveTo.run(split, id);
        repairs.completedClass++;
      }
    }
  }

  nearDuplicateSummary(): NearDuplicateSummary {
    const row = this.db.prepare('SELECT COUNT(DISTINCT near_group) AS groups, COUNT(near_group) AS photos FROM images').get() as NearDuplicateSummary;
    return { groups: row.groups ?? 0, photos: row.photos ?? 0 };
  }
}
