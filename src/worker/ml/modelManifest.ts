/**
 * A TensorFlow.js model folder's model.json, read as the untrusted file it is: a folder the user
 * downloaded or was sent may list weight "files" such as `../../.bashrc`. Every listed path must
 * be a plain relative path that stays inside the folder; anything else refuses the whole model,
 * naming the file and the path, before a byte is copied or read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GraftError } from '../../shared/api/errors';

export interface ModelManifest {
  format?: unknown;
  modelTopology?: unknown;
  weightsManifest?: unknown;
}

/** model.json of a folder, parsed; a sentence naming the file when it is not JSON. */
export function readModelManifest(folder: string): ModelManifest {
  const file = path.join(folder, 'model.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'it is not valid JSON' : ((error as NodeJS.ErrnoException).code ?? String(error));
    throw new GraftError('invalid_request', `${file} cannot be read as a TensorFlow.js model description: ${reason}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GraftError('invalid_request', `${file} is not a TensorFlow.js model description (not a JSON object).`);
  return parsed as ModelManifest;
}

/** A listed weight path, normalised, if it names a file inside the folder; null otherwise. */
function insidePath(listed: string): string | null {
  if (listed === '' || listed.includes('\0') || listed.includes('\\')) return null;
  // Absolute in either convention, or a Windows drive ("C:x" is relative to a drive's own folder).
  if (path.posix.isAbsolute(listed) || path.win32.isAbsolute(listed) || /^[a-zA-Z]:/.test(listed)) return null;
  const normalised = path.posix.normalize(listed);
  if (normalised === '.' || normalised === '..' || normalised.startsWith('../')) return null;
  return normalised.split('/').join(path.sep);
}

/**
 * The weight files model.json lists, as paths relative to `folder` that are checked to stay in it
 * (a path leaving it, absolute, or not a string, refuses the model with a sentence).
 */
export function weightFilesOf(manifest: ModelManifest, folder: string): string[] {
  const file = path.join(folder, 'model.json');
  const groups = manifest.weightsManifest ?? [];
  if (!Array.isArray(groups)) throw new GraftError('invalid_request', `${file} is malformed: its weightsManifest is not a list.`);
  const files: string[] = [];
  for (const group of groups as unknown[]) {
    const paths = (group as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) throw new GraftError('invalid_request', `${file} is malformed: a weightsManifest entry has no list of paths.`);
    for (const listed of paths as unknown[]) {
      const relative = typeof listed === 'string' ? insidePath(listed) : null;
      const resolved = relative === null ? null : path.resolve(folder, relative);
      if (relative === null || resolved === null || !resolved.startsWith(path.resolve(folder) + path.sep)) {
        throw new GraftError('invalid_request', `${file} lists the weight file ${JSON.stringify(listed)}, which is not a file inside its folder: Graft reads weight files only from the model's own folder, so it refuses this model.`);
      }
      files.push(relative);
    }
  }
  return files;
}
