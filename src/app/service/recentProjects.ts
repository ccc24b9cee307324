/** The recent-projects list, kept as a small JSON file in the user's data folder. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../shared/api/projects';

const MAX_RECENT = 12;
const Stored = z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.string() }));
type Stored = z.infer<typeof Stored>;

export class RecentProjects {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'recent-projects.json');
  }

  private read(): Stored {
    try {
      const parsed = Stored.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return []; // absent or unreadable: start a new list rather than fail to start
    }
  }

  private write(entries: Stored): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(entries, null, 2));
    fs.renameSync(temporary, this.file); // atomic: a crash leaves the old list or the new one
  }

  list(): RecentProject[] {
    return this.read().map((entry) => ({ ...entry, exists: fs.existsSync(entry.path) }));
  }

  touch(projectPath: string, name: string): void {
    const rest = this.read().filter((entry) => entry.path !== projectPath);
    this.write([{ path: projectPath, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT));
  }

  forget(projectPath: string): RecentProject[] {
    this.write(this.read().filter((entry) => entry.path !== projectPath));
    return this.list();
  }
}
