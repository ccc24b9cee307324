/**
 * Photo pixels for the user interface, the same for both transports: `thumbs/<hash>.jpg` from
 * the project's thumbnail cache, and `photos/<image id>.jpg`, an upright preview made from the
 * original file (any format sharp reads, shown as JPEG, which every browser can display).
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { GraftService } from '../api/graftService';
import { MAX_PIXELS } from '../worker/importPhotos';

const PREVIEW_SIZE = 1600;

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
  const photo = /^\/photos\/(\d+)\.jpg$/.exec(pathname);
  if (photo) {
    const file = service.imageFile(Number(photo[1]));
    if (!file) return null;
    try {
      const body = await sharp(file, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize({ width: PREVIEW_SIZE, height: PREVIEW_SIZE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 88 })
        .toBuffer();
      return { contentType: 'image/jpeg', body };
    } catch {
      return null;
    }
  }
  return null;
}
