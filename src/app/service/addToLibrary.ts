/**
 * Classified photos into the project's library, with a label: the correction a person makes in
 * the photo viewer becomes training data. Each file is read and hashed (a photo the library has is
 * found by its content), a new one gets its thumbnail and an automatic split as an import would,
 * and the labels are set as one undoable action of the person's window.
 */
import type { AddedToLibrary } from '../../shared/api/classify';
import { autoSplit } from '../../shared/splits';
import type { ProjectStores } from '../../node/data/projectStores';
import { perceptualHash, THUMBNAIL_SHORT_SIDE, thumbnailJpeg, uprightRgb } from '../../node/photos/decode';
import { describeDecodeError } from '../../node/photos/imageFiles';
import { readPhoto } from '../../node/photos/photoFile';

export async function addClassifiedToLibrary(project: { stores: ProjectStores; keepThumbnail(hash: string, jpeg: Buffer): void }, ids: number[], label: string, origin: string | null): Promise<AddedToLibrary> {
  const { stores } = project;
  const { ratios, seed } = stores.settings.splitSettings();
  const problems: { path: string; reason: string }[] = [];
  const imageIds: number[] = [];
  let added = 0;
  for (const file of stores.classified.files(ids)) {
    const read = await readPhoto(file.path);
    if (!read.ok) {
      problems.push({ path: file.path, reason: read.reason });
      continue;
    }
    const { size, mtimeMs } = read.stat;
    const known = stores.library.imageByHash(read.hash);
    if (known) {
      stores.imports.record([{ kind: 'known', path: file.path, hash: read.hash, size, mtimeMs, folder: null }]);
      imageIds.push(known.id);
      continue;
    }
    try {
      const rgb = await uprightRgb(read.bytes ?? file.path, THUMBNAIL_SHORT_SIDE);
      project.keepThumbnail(read.hash, await thumbnailJpeg(rgb));
      const { width, height, format } = rgb.original;
      added += stores.imports.record([
        { kind: 'new', path: file.path, hash: read.hash, size, mtimeMs, width, height, format, phash: perceptualHash(rgb), label: null, split: autoSplit(read.hash, seed, ratios), splitSource: 'auto' },
      ]).added;
      imageIds.push(stores.library.imageByHash(read.hash)!.id);
    } catch (error) {
      problems.push({ path: file.path, reason: describeDecodeError(error, read.bytes ?? undefined) });
    }
  }
  const classId = stores.library.ensureClass(label);
  const labelled = stores.library.setLabels(imageIds, classId, origin);
  return { added, labelled, classId, problems };
}
