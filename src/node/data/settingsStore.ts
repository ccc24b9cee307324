/** A project's settings (the project_meta table): its name, and how photos are split. */
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
}
