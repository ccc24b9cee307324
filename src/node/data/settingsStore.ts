/** A project's settings (the project_meta table): its name, how photos are split, and the Train view's choices. */
import { TrainChoices } from '../../shared/api/training';
import type { SplitRatios } from '../../shared/splits';
import type { Sqlite } from './sqlite';

const DEFAULT_RATIOS: SplitRatios = { train: 0.7, validation: 0.15, test: 0.15 };

export interface SplitSettings {
  ratios: SplitRatios;
  seed: number;
}

export class SettingsStore {
  constructor(private readonly db: Sqlite) {}

  private value(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM project_meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  private set(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  splitSettings(): SplitSettings {
    const ratios = this.value('split_ratios');
    return { ratios: ratios ? (JSON.parse(ratios) as SplitRatios) : DEFAULT_RATIOS, seed: Number(this.value('split_seed') ?? 1) };
  }

  setSplitSettings(settings: SplitSettings): void {
    this.set('split_ratios', JSON.stringify(settings.ratios));
    this.set('split_seed', String(settings.seed));
  }

  /** The Train view's settings; a stored one this version cannot read falls back to its default. */
  trainChoices(): TrainChoices {
    const stored = JSON.parse(this.value('train_choices') ?? '{}') as Record<string, unknown>;
    const defaults = TrainChoices.parse({});
    const kept = Object.keys(defaults).filter((key) => TrainChoices.shape[key as keyof TrainChoices].safeParse(stored[key]).success);
    return TrainChoices.parse(Object.fromEntries(kept.map((key) => [key, stored[key]])));
  }

  setTrainChoices(change: Partial<TrainChoices>): TrainChoices {
    const choices = TrainChoices.parse({ ...this.trainChoices(), ...change });
    this.set('train_choices', JSON.stringify(choices));
    return choices;
  }
}
