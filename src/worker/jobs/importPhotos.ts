/**
 * The import job: finds photos under the chosen folders, identifies each by its content hash and
 * decodes each new one once — which proves it is a readable image — into its thumbnail and, when
 * the project's backbone is in the models folder, the backbone's features, so that "Train" after
 * an import only trains the head. Files that look like photos but cannot be read are recorded
 * with the reason; nothing stops the rest. Work is committed a batch at a time, so a crash or a
 * cancel keeps what was done and a new import continues from there (known files are skipped).
 */
import path from 'node:path';
import type { ImportResult } from '../../shared/api/library';
import { DEFAULT_BACKBONE, type Backbone } from '../../shared/catalogue';
import type { JobParams } from '../../shared/jobs/registry';
import { autoSplit, labelFromFolders } from '../../shared/splits';
import type { ExaminedFile, FolderSays } from '../../node/data/importStore';
import { ThumbnailStore } from '../../node/data/thumbnailStore';
import { isAvailable, lookupBackbone } from '../../node/models/modelStore';
import { decodeSide, modelPixels, perceptualHash, thumbnailJpeg, uprightRgb, type CropMode } from '../../node/photos/decode';
import { describeDecodeError } from '../../node/photos/imageFiles';
import { readPhoto, statPhoto, type PhotoStat } from '../../node/photos/photoFile';
import { featureModel, FEATURE_BATCH, preprocessingKey } from '../ml/features';
import { findPhotos } from '../pipeline/findPhotos';
import { photoBatches } from '../pipeline/photoBatches';
import type { PixelModel } from '../pipeline/pixelModel';
import type { ProjectJobEnvironment } from './jobEnvironment';

/** Features computed at import are those the Train view uses by default. */
const IMPORT_CROP: CropMode = 'center';

interface Candidate {
  root: string;
  path: string;
}

/** What decoding a new photo tells about it. */
interface DecodedPhoto {
  width: number;
  height: number;
  format: string;
  phash: string | null;
}

/** The backbone whose features an import computes: the project's, when its files are here. */
function importBackbone(): Backbone | null {
  const backbone = lookupBackbone(DEFAULT_BACKBONE);
  return backbone && isAvailable(backbone) ? backbone : null;
}

/**
 * The project's thumbnail cache, or null when it cannot be opened (its folder is not writable): the
 * import goes on without it, and the grid makes each thumbnail from its photo when it shows it.
 */
function openThumbnails(projectPath: string): ThumbnailStore | null {
  try {
    return ThumbnailStore.open(projectPath);
  } catch {
    return null;
  }
}

export async function importPhotos(params: JobParams<'import'>, env: ProjectJobEnvironment): Promise<ImportResult> {
  const { stores } = env.project;
  const roots = params.folders.map((f) => path.resolve(f));
  env.progress(0, null, 'photos', 'Looking for photos');
  const found = await findPhotos(roots, env.signal);
  stores.imports.addSources(roots, params.folderLabels);
  stores.imports.recordProblems(found.problems);
  const result: ImportResult = {
    found: found.photos.length,
    added: 0,
    newPaths: 0,
    unchanged: 0,
    skipped: found.skipped,
    missing: 0,
    labelled: 0,
    problems: [...found.problems],
    conflicts: [],
    nearDuplicates: { groups: 0, photos: 0 },
    splitRepairs: { joinedGroup: 0, groupsThatCrossed: 0, completedClass: 0 },
  };
  // Photos imported before Graft computed perceptual hashes get theirs when their file is met again
  // (their rows exist already; a new photo's hash is recorded with its row).
  const withoutPerceptualHash = stores.splits.withoutPerceptualHash();
  const perceptual: { hash: string; phash: string | null }[] = [];
  const folderSays = (candidate: Candidate): FolderSays | null => (params.folderLabels ? labelFromFolders(path.relative(candidate.root, candidate.path), path.basename(candidate.root)) : null);
  const { ratios, seed } = stores.settings.splitSettings();
  const backbone = importBackbone();
  const side = decodeSide(backbone?.inputSize ?? 0);
  // Copies within the folders are decoded once: the first to get there decodes, the others wait
  // for its outcome and are the same problem, or the same new photo — reported as new, not known
  // (a known photo must be recorded already, and the copy may be recorded before the original):
  // whichever the store records first adds the photo, the others add their paths.
  const decodedOnce = new Map<string, Promise<DecodedPhoto | { reason: string }>>();
  // Kept with the batch their photos are recorded in (before it: the grid never shows a photo without one).
  const newThumbnails: { hash: string; jpeg: Buffer }[] = [];

  const newFile = (candidate: Candidate, hash: string, stat: PhotoStat, photo: DecodedPhoto): ExaminedFile => {
    const fromFolders = folderSays(candidate) ?? { label: null, split: null };
    return {
      kind: 'new',
      path: candidate.path,
      hash,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ...photo,
      label: fromFolders.label,
      split: fromFolders.split ?? autoSplit(hash, seed, ratios),
      splitSource: fromFolders.split ? 'folder' : 'auto',
    };
  };

  const load = async (candidate: Candidate): Promise<{ pixels: Buffer | null; data: ExaminedFile }> => {
    // A problem with the file's content is remembered with its size and time (see ExaminedFile).
    const problem = (reason: string, content?: PhotoStat | null) => ({ pixels: null, data: { kind: 'problem' as const, path: candidate.path, reason, ...content } });
    // A path met before is looked at first, and not read again while unchanged (a large file that
    // is not a photo would be hashed at every import); a new one is read at once (its size and
    // time come with the read).
    const known = stores.imports.knownPath(candidate.path);
    const knownProblem = stores.imports.knownProblem(candidate.path);
    if (known || knownProblem) {
      const stat = await statPhoto(candidate.path);
      if ('reason' in stat) return problem(stat.reason);
      if (known && known.size === stat.stat.size && known.mtimeMs === stat.stat.mtimeMs && !withoutPerceptualHash.has(known.hash)) return { pixels: null, data: { kind: 'unchanged', path: candidate.path } };
      if (knownProblem && knownProblem.size === stat.stat.size && knownProblem.mtimeMs === stat.stat.mtimeMs) return problem(knownProblem.reason, stat.stat);
    }
    const read = await readPhoto(candidate.path);
    if (!read.ok) return problem(read.reason, read.stat);
    const { hash } = read;
    // Only the first of a photo's copies decodes its bytes; the others give theirs back at once.
    if (stores.imports.hasImage(hash)) {
      if (withoutPerceptualHash.delete(hash)) await uprightRgb(read.bytes ?? candidate.path, side).then((rgb) => perceptual.push({ hash, phash: perceptualHash(rgb) }), () => {});
      read.release();
      return { pixels: null, data: { kind: 'known', path: candidate.path, hash, size: read.stat.size, mtimeMs: read.stat.mtimeMs, folder: folderSays(candidate) } };
    }
    const earlier = decodedOnce.get(hash);
    if (earlier) {
      read.release();
      const outcome = await earlier;
      return 'reason' in outcome ? problem(outcome.reason, read.stat) : { pixels: null, data: newFile(candidate, hash, read.stat, outcome) };
    }
    let pixels: Buffer | null = null;
    const decoding = (async (): Promise<DecodedPhoto | { reason: string }> => {
      try {
        const rgb = await uprightRgb(read.bytes ?? candidate.path, side);
        newThumbnails.push({ hash, jpeg: await thumbnailJpeg(rgb) });
        if (backbone) pixels = await modelPixels(rgb, backbone.inputSize, IMPORT_CROP);
        return { width: rgb.original.width, height: rgb.original.height, format: rgb.original.format, phash: perceptualHash(rgb) };
      } catch (error) {
        return { reason: describeDecodeError(error, read.bytes ?? undefined) };
      } finally {
        read.release();
      }
    })();
    decodedOnce.set(hash, decoding);
    const outcome = await decoding;
    return 'reason' in outcome ? problem(outcome.reason, read.stat) : { pixels, data: newFile(candidate, hash, read.stat, outcome) };
  };

  // The network loads (from the converted-model cache, or converted now) while the first photos decode.
  const model: Promise<PixelModel | null> = backbone ? featureModel(backbone) : Promise.resolve(null);
  model.catch(() => {}); // its failure fails the first batch, below
  let done = 0;
  let thumbnails = openThumbnails(env.project.path);
  try {
    for await (const batch of photoBatches(found.photos, load, model, { batchSize: FEATURE_BATCH, ahead: 2 * FEATURE_BATCH, signal: env.signal })) {
      const kept = newThumbnails.splice(0);
      try {
        thumbnails?.put(kept);
      } catch {
        // A full disk or a damaged cache: the photos are imported all the same, and the grid makes
        // their thumbnails from the files when it shows them.
        thumbnails?.close();
        thumbnails = null;
      }
      const counts = stores.imports.record(batch.map((b) => b.data));
      stores.splits.setPerceptualHashes(perceptual.splice(0));
      if (backbone) {
        const features = batch.filter((b) => b.output && b.data.kind === 'new').map((b) => ({ hash: (b.data as { hash: string }).hash, vector: b.output!.slice() }));
        stores.features.put(features, backbone.id, preprocessingKey(IMPORT_CROP));
      }
      result.added += counts.added;
      result.newPaths += counts.newPaths;
      result.unchanged += counts.unchanged;
      result.labelled += counts.labelled;
      for (const b of batch) if (b.data.kind === 'problem') result.problems.push({ path: b.data.path, reason: b.data.reason });
      done += batch.length;
      env.progress(done, found.photos.length, 'photos', `${result.added} new, ${result.problems.length} with problems`);
    }
  } finally {
    thumbnails?.close();
    await (await model.catch(() => null))?.release();
  }
  result.missing = stores.imports.flagMissing(roots, new Set(found.photos.map((p) => p.path)));
  // Copies across splits and classes without a photo in each split are fixed now, before anyone trains.
  result.splitRepairs = stores.splits.enforce(stores.settings.splitSettings(), { groups: true, classes: 'all' });
  result.nearDuplicates = stores.splits.nearDuplicateSummary();
  result.conflicts = stores.imports.conflicts();
  return result;
}
