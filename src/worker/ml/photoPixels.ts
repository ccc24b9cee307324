/** Decodes a photo into the backbone's input: upright, RGB, square, in the backbone's value range. */
import sharp from 'sharp';
import { MAX_PIXELS } from '../../node/photos/imageFiles';

export type CropMode = 'center' | 'squash';

/** Bump when decoding or preprocessing changes: cached features of older versions are not reused. */
export const PREPROCESSING_VERSION = 1;

/** From a file path or the file's bytes; damaged (truncated) files are refused, not half-decoded. */
export async function photoPixels(file: string | Buffer, size: number, crop: CropMode): Promise<Buffer> {
  return sharp(file, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' })
    .rotate()
    .resize(size, size, { fit: crop === 'center' ? 'cover' : 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}
