/** Folders and files the person chose lately in the browser mode's chooser, newest first (a small JSON file in the user's data folder). */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const MAX_RECENT = 10;
const Stored = z.array(z.string());

export class RecentLocations {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'recent-locations.json');
  }

  list(): string[] {
    try {
      const parsed = Stored.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.filter((p) => fs.existsSync(p)) : [];
    } catch {
      return []; // absent or unreadable: an empty list
    }
  }

  remember(location: string): void {
    const absolute = path.resolve(location);
    const entries = [absolute, ...this.list().filter((p) => p !== absolute)].slice(0, MAX_RECENT);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(entries, null, 2));
    fs.renameSync(temporary, this.file);
  }
}
