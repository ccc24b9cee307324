/**
 * Photo pixels for the user interface, the same for both transports: `thumbs/<hash>.jpg` from
 * the project's thumbnail cache, `photos/<image id>.jpg`, an upright preview made from the
 * original file (any format sharp reads, shown as JPEG, which every browser can display),
 * `classified/<id>.jpg`, a classified photo's thumbnail, and `classified/<id>/large.jpg`, its
 * large view (the photo viewer).
 */
import { photoThumbnail, previewJpeg } from '../../node/photos/decode';
import type { GraftService } from '../service/graftService';

export interface ImageBody {
  contentType: string;
  body: Buffer;
}

export async function resolveImageRequest(service: GraftService, pathname: string): Promise<ImageBody | null> {
  const thumb = /^\/thumbs\/([0-9a-f]{64})\.jpg$/.exec(pathname);
  if (thumb) {
    return libraryThumbnail(service, thumb[1]);
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
 * A library photo's thumbnail: the one its import kept, or, when the cache lost it (a damaged
 * cache starts afresh, a full disk kept none), made again from the photo's file and kept.
 */
async function libraryThumbnail(service: GraftService, hash: string): Promise<ImageBody | null> {
  const kept = service.thumbnail(hash);
  if (kept) return { contentType: 'image/jpeg', body: kept };
  const file = service.thumbnailSource(hash);
  if (!file) return null;
  let body: Buffer;
  try {
    body = await photoThumbnail(file);
  } catch {
    return null;
  }
  service.keepThumbnail(hash, body);
  return { contentType: 'image/jpeg', body };
}

/**
 * A classified photo's thumbnail, made on first view and kept in the project's thumbnail cache
 * (by content hash, shared with the library): classifying does not spend time on thumbnails the
 * user may never look at.
 */
async function classifiedThumbnail(service: GraftService, id: number): Promise<ImageBody | null> {
  const photo = service.classifiedPhoto(id);
  if (!photo) return null;
  const kept = photo.hash ? service.thumbnail(photo.hash) : null;
  if (kept) return { contentType: 'image/jpeg', body: kept };
  let body: Buffer;
  try {
    body = await photoThumbnail(photo.path);
  } catch {
    return null;
  }
  if (photo.hash) service.keepThumbnail(photo.hash, body);
  return { contentType: 'image/jpeg', body };
}
