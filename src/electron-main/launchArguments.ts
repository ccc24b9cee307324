/**
 * What the operating system hands Graft's Electron main process, read without Electron: the
 * project file in a command line (a double-clicked `.graft`, `graft-desktop Birds.graft`, or the
 * command line of a second instance, which passes it on), and whether a URL is one of Graft's
 * own pages (the only place a window may navigate to).
 */
import path from 'node:path';

export const APP_SCHEME = 'graft-app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The last `.graft` file named in `argv` (flags and Chromium's switches skipped), made absolute
 * against the directory the command was run in; null when there is none.
 */
export function projectFileArgument(argv: readonly string[], workingDirectory: string): string | null {
  const file = argv.filter((arg) => !arg.startsWith('-') && arg.toLowerCase().endsWith('.graft')).at(-1);
  return file ? path.resolve(workingDirectory, file) : null;
}

/** Whether `url` is a page of Graft's own origin (graft-app://renderer/…), parsed, not prefix-matched. */
export function isAppPageUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}
