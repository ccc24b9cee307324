/**
 * Photo pixels for the user interface, the same for both transports: `thumbs/<hash>.jpg` from
 * the project's thumbnail cache, `photos/<image id>.jpg`, an upright preview made from the
 * original file (any format sharp reads, shown as JPEG, which every browser can display),
 * `classified/<id>.jpg`, a classified photo's thumbnail, and `classified/<id>/large.jpg`, its
 * large view (the photo viewer).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { photoThumbnail, previewJpeg } from '../../node/photos/decode';
import type { GraftService } from '../service/graftService';

export interface ImageBody {
  contentType: string;
  body: Buffer;
}

export async function resolveImageRequest(service: GraftService, pathname: string): Promise<ImageBody | null> {
  const thumb = /^\/thumbs\/([0-9a-f]{64})\.jpg$/.exec(pathname);
  if (thumb) {
    const file = service.thumbnailFile(thumb[1]);
    return file ? { contentType: 'image/jpeg', body: await fs.promises.readFile(file) } : null;
  }
  const classified = /^\/classified\/(\d+)\.jpg$/.exec(pathname);
  if (classified) return classifiedThumbnail(service, Number(classified[1]));
  const classifiedLarge = /^\/classified\/(\d+)\/large\.jpg$/.exec(pathname);
  if (classifiedLarge) return preview(service.classifiedPhoto(Number(classifiedLarge[1]))?.path ?? null);
  const photo = /^\/photos\/(\d+)\.jpg$/.exec(pathname);
  if (photo) return preview(service.imageFile(Number(photo[1])));
  return null;
}

/** A photo's large view, made from its file; null when there is none or it cannot be decoded. */
async function preview(file: string | null): Promise<ImageBody | null> {
  if (!file) return null;
  try {
    return { contentType: 'image/jpeg', body: await previewJpeg(file) };
  } catch {
    return null;
  }
}

/**
 * A classified photo's thumbnail, made on first view and kept in the project's thumbnail cache
 * (by content hash, shared with the library): classifying does not spend time on thumbnails the
 * user may never look at.
 */
async function classifiedThumbnail(service: GraftService, id: number): Promise<ImageBody | null> {
  const photo = service.classifiedPhoto(id);
  if (!photo) return null;
  if (photo.thumbnail && fs.existsSync(photo.thumbnail)) return { contentType: 'image/jpeg', body: await fs.promises.readFile(photo.thumbnail) };
  let body: Buffer;
  try {
    body = await photoThumbnail(photo.path);
  } catch {
    return null;
  }
  if (photo.thumbnail) {
    // Two copies of one photo (one content hash) may be asked for at once: each writes its own
    // partial file, and a failure to keep the thumbnail never withholds it.
    const partial = `${photo.thumbnail}.${randomUUID()}.partial`;
    try {
      await fs.promises.mkdir(path.dirname(photo.thumbnail), { recursive: true });
      await fs.promises.writeFile(partial, body);
      await fs.promises.rename(partial, photo.thumbnail);
    } catch {
      await fs.promises.rm(partial, { force: true }).catch(() => {});
    }
  }
  return { contentType: 'image/jpeg', body };
}
