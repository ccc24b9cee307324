/** The app's settings, kept as a small JSON file in the user's data folder. */
import fs from 'node:fs';
import path from 'node:path';
import { AppSettings } from '../../shared/api/projects';

export class AppSettingsFile {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  read(): AppSettings {
    try {
      const parsed = AppSettings.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // absent or unreadable: the defaults
    }
    return AppSettings.parse({});
  }

  write(change: Partial<AppSettings>): AppSettings {
    const settings = AppSettings.parse({ ...this.read(), ...change });
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(settings, null, 2));
    fs.renameSync(temporary, this.file);
    return settings;
  }

  /** What a job's worker process must know of them: where to run networks (the environment's own GRAFT_COMPUTE wins). */
  workerEnvironment(): NodeJS.ProcessEnv {
    const { compute } = this.read();
    return compute === 'cpu' && !process.env.GRAFT_COMPUTE ? { GRAFT_COMPUTE: 'cpu' } : {};
  }
}
