/**
 * What can be done with classified photos, each previewed first (a dry run lists every operation
 * and what it will do about files already there) and then applied as a job: results to CSV or
 * JSON; photos copied, moved or linked into one folder per class; the class written as a keyword
 * into XMP sidecars; predictions offered as suggested labels for the project's unlabelled photos.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_LABEL, UNKNOWN_LABEL, type ActionPlan, type ActionRequest, type ActionResult, type ClassifiedPhoto, type PlannedOperation } from '../../shared/api/classify';
import { GraftError } from '../../shared/api/errors';
import type { JobContext } from '../../shared/jobs/jobContext';
import type { ClassifiedStore } from '../data/classifiedStore';
import type { ProjectStores } from '../data/projectStores';
import type { Suggestion } from '../data/suggestionStore';
import { writeResultsFile } from './resultFiles';
import { addKeyword, newSidecar, sidecarPath } from './xmpSidecar';

const PREVIEW = 200;

interface Step {
  operation: PlannedOperation;
  photo: ClassifiedPhoto | null;
  execute?: () => void;
}

function sameContent(file: string, photo: ClassifiedPhoto): boolean {
  try {
    return photo.hash !== null && createHash('sha256').update(fs.readFileSync(file)).digest('hex') === photo.hash;
  } catch {
    return false;
  }
}

/** A folder name safe on every system for a class name. */
function folderName(label: string): string {
  const printable = Array.from(label, (c) => (c.charCodeAt(0) < 32 ? '_' : c)).join('');
  return printable.replace(/[<>:"/\\|?*]/g, '_').replace(/^\.+$/, '_').trim() || '_';
}

/** Copy, move or link into <target>/<class>/, renaming "name (2).jpg" when a different file is there. */
function* fileSteps(store: ClassifiedStore, request: ActionRequest): Generator<Step> {
  const target = path.resolve(request.target!);
  const taken = new Set<string>();
  for (const photo of store.select(request.filter)) {
    if (photo.label === ERROR_LABEL) continue;
    const folder = path.join(target, folderName(photo.label));
    const ext = path.extname(photo.name);
    const stem = path.basename(photo.name, ext);
    let destination = path.join(folder, photo.name);
    let note: string | null = null;
    let skip = false;
    for (let n = 2; ; n++) {
      if (taken.has(destination)) {
        destination = path.join(folder, `${stem} (${n})${ext}`);
        note = 'another photo has this name: renamed';
        continue;
      }
      if (fs.existsSync(destination)) {
        if (request.action !== 'link' && sameContent(destination, photo)) {
          skip = true;
          note = 'already there';
          break;
        }
        destination = path.join(folder, `${stem} (${n})${ext}`);
        note = 'a different file has this name there: renamed';
        continue;
      }
      break;
    }
    taken.add(destination);
    const source = photo.path;
    const execute = skip
      ? undefined
      : () => {
          fs.mkdirSync(folder, { recursive: true });
          if (request.action === 'copy') fs.copyFileSync(source, destination, fs.constants.COPYFILE_EXCL);
          else if (request.action === 'link') {
            try {
              fs.symlinkSync(source, destination);
            } catch (error) {
              // Windows allows symbolic links only to some users; a hard link needs no privilege.
              if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
              fs.linkSync(source, destination);
            }
          } else {
            try {
              fs.renameSync(source, destination);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
              fs.copyFileSync(source, destination, fs.constants.COPYFILE_EXCL);
              fs.unlinkSync(source);
            }
            store.moved(photo.id, destination);
          }
        };
    yield { operation: { source, destination, note, skip }, photo, execute };
  }
}

function* sidecarSteps(store: ClassifiedStore, request: ActionRequest): Generator<Step> {
  for (const photo of store.select(request.filter)) {
    if (photo.label === ERROR_LABEL || photo.label === UNKNOWN_LABEL) continue;
    const file = sidecarPath(photo.path);
    let existing: string | null = null;
    try {
      existing = fs.readFileSync(file, 'utf8');
    } catch {
      // no sidecar yet
    }
    const edit = existing === null ? { kind: 'changed' as const, text: newSidecar(photo.label) } : addKeyword(existing, photo.label);
    const note = existing === null ? null : edit.kind === 'changed' ? 'adds the keyword to the existing sidecar' : edit.kind === 'unchanged' ? 'already has the keyword' : `left unchanged: ${edit.reason}`;
    const execute =
      edit.kind === 'changed'
        ? () => {
            fs.writeFileSync(`${file}.partial`, edit.text);
            fs.renameSync(`${file}.partial`, file);
          }
        : undefined;
    yield { operation: { source: photo.path, destination: file, note, skip: edit.kind !== 'changed' }, photo, execute };
  }
}

/** Photos of the library with the same content, unlabelled, and a project class of the same name. */
function* suggestionSteps(stores: ProjectStores, request: ActionRequest, collected: Suggestion[]): Generator<Step> {
  const classes = new Map(stores.library.classes().map((c) => [c.name.toLocaleLowerCase(), c.id]));
  const runId = stores.classified.runOf(request.filter.classifierId);
  for (const photo of stores.classified.select(request.filter)) {
    if (photo.label === ERROR_LABEL || photo.label === UNKNOWN_LABEL || !photo.hash) continue;
    const row = stores.library.imageByHash(photo.hash);
    if (!row) continue; // not in the project's library
    const classId = classes.get(photo.label.toLocaleLowerCase());
    const note = row.classId !== null ? 'already labelled' : classId === undefined ? `this project has no class “${photo.label}”` : null;
    const margin = (photo.top[0]?.confidence ?? 0) - (photo.top[1]?.confidence ?? 0);
    yield {
      operation: { source: photo.path, destination: null, note, skip: note !== null },
      photo,
      execute: note === null ? () => void collected.push({ imageId: row.id, runId, classId: classId!, confidence: photo.confidence!, margin }) : undefined,
    };
  }
}

function steps(stores: ProjectStores, request: ActionRequest, collected: Suggestion[]): Iterable<Step> {
  const store = stores.classified;
  switch (request.action) {
    case 'csv':
    case 'json': {
      const file = path.resolve(request.target!);
      const note = !fs.existsSync(file) ? null : request.overwrite ? 'replaces the existing file' : 'a file is already there: it is replaced only if you confirm (--force in the graft command)';
      return [{ operation: { source: `${store.count(request.filter)} photos`, destination: file, note, skip: false }, photo: null }];
    }
    case 'copy':
    case 'move':
    case 'link':
      return fileSteps(store, request);
    case 'xmp':
      return sidecarSteps(store, request);
    case 'suggest':
      return suggestionSteps(stores, request, collected);
  }
}

function describe(request: ActionRequest, count: number, skipped: number, dryRun: boolean): string {
  const n = count - skipped;
  const verb = (future: string, past: string) => (dryRun ? `will ${future}` : past);
  switch (request.action) {
    case 'csv':
    case 'json':
      return `${dryRun ? 'Will write' : 'Wrote'} the results to ${path.resolve(request.target!)} (${request.action.toUpperCase()}).`;
    case 'copy':
      return `Graft ${verb('copy', 'copied')} ${n} photos into one folder per class under ${path.resolve(request.target!)}; ${skipped} already there.`;
    case 'move':
      return `Graft ${verb('move', 'moved')} ${n} photos into one folder per class under ${path.resolve(request.target!)}; ${skipped} already there.`;
    case 'link':
      return `Graft ${verb('link', 'linked')} ${n} photos into one folder per class under ${path.resolve(request.target!)} (the photos stay where they are).`;
    case 'xmp':
      return `Graft ${verb('write', 'wrote')} the class as a keyword into ${n} XMP sidecars (photo.jpg.xmp); ${skipped} left as they are. Photos below the threshold (unknown) get none.`;
    case 'suggest':
      return `Graft ${verb('suggest', 'suggested')} labels for ${n} unlabelled photos of this project's library; ${skipped} skipped (labelled already, or no class of that name).`;
  }
}

export function planAction(stores: ProjectStores, request: ActionRequest): ActionPlan {
  const operations: PlannedOperation[] = [];
  let total = 0;
  let skipped = 0;
  for (const step of steps(stores, request, [])) {
    total++;
    if (step.operation.skip) skipped++;
    if (operations.length < PREVIEW) operations.push(step.operation);
  }
  const replacesFiles = (request.action === 'csv' || request.action === 'json') && fs.existsSync(path.resolve(request.target!)) ? [path.resolve(request.target!)] : [];
  return { action: request.action, summary: describe(request, total, skipped, true), total, skipped, operations, replacesFiles };
}

/** A results file is never replaced unless the request says so (the user was asked, or gave --force). */
function refuseToReplace(file: string, request: ActionRequest): void {
  if (request.overwrite || !fs.existsSync(file)) return;
  throw new GraftError('already_exists', `${file} already exists, and Graft replaces a file only when asked: confirm replacing it in the app, or add --force to the graft command (or choose another file).`);
}

export function applyAction(stores: ProjectStores, request: ActionRequest, context: JobContext): ActionResult {
  const store = stores.classified;
  if (request.action === 'csv' || request.action === 'json') {
    const file = path.resolve(request.target!);
    refuseToReplace(file, request);
    const total = store.count(request.filter);
    let done = 0;
    // Checked again before the written file takes the name: one may have appeared meanwhile.
    writeResultsFile(file, request.action, store.select(request.filter), () => {
      done++;
      if (done % 500 === 0) context.signal.throwIfAborted();
      context.progress(done, total, 'photos', 'Writing results');
    }, () => refuseToReplace(file, request));
    return { action: request.action, done, skipped: 0, failed: [], summary: describe(request, done, 0, false) };
  }
  const total = store.count(request.filter);
  const failed: { path: string; reason: string }[] = [];
  let done = 0;
  let skipped = 0;
  let seen = 0;
  const suggestions: Suggestion[] = [];
  for (const step of steps(stores, request, suggestions)) {
    context.signal.throwIfAborted();
    seen++;
    if (!step.execute) skipped++;
    else {
      try {
        step.execute();
        done++;
      } catch (error) {
        failed.push({ path: step.operation.source, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    context.progress(seen, total, 'photos', `${done} done · ${skipped} skipped · ${failed.length} failed`);
  }
  // Suggestions are rows only, written at the end in one transaction: all or none. Files are done
  // one by one, and a stopped move leaves each photo either moved (its new path recorded) or where it was.
  stores.suggestions.upsert(suggestions);
  return { action: request.action, done, skipped, failed: failed.slice(0, 200), summary: describe(request, done + skipped + failed.length, skipped, false) + (failed.length ? ` ${failed.length} failed.` : '') };
}
