/** Every store of an open project's database: the one way code outside src/node/data reaches its tables. */
import { ClassifiedStore } from './classifiedStore';
import { FeatureStore } from './featureStore';
import { ImportStore } from './importStore';
import { JobStore } from './jobStore';
import { LibraryStore } from './libraryStore';
import { RunStore } from './runStore';
import { SettingsStore } from './settingsStore';
import { SplitStore } from './splitStore';
import type { Sqlite } from './sqlite';
import { SuggestionStore } from './suggestionStore';

export interface ProjectStores {
  library: LibraryStore;
  imports: ImportStore;
  runs: RunStore;
  features: FeatureStore;
  suggestions: SuggestionStore;
  classified: ClassifiedStore;
  settings: SettingsStore;
  splits: SplitStore;
  jobs: JobStore;
}

export function projectStores(db: Sqlite): ProjectStores {
  return {
    library: new LibraryStore(db),
    imports: new ImportStore(db),
    runs: new RunStore(db),
    features: new FeatureStore(db),
    suggestions: new SuggestionStore(db),
    classified: new ClassifiedStore(db),
    settings: new SettingsStore(db),
    splits: new SplitStore(db),
    jobs: new JobStore(db, 'project'),
  };
}
