/**
 * The one way Graft decodes a photo. A file is decoded once — upright (EXIF orientation applied),
 * sRGB, transparent parts on white — into a small RGB image whose short side is just large
 * enough for everything made from it: the thumbnail, and the model's input (centre-cropped or
 * squashed to the network's size). Training, classifying, suggesting and the export check all
 * go through `modelPixels`, so a model sees its photos prepared exactly as it was trained.
 */
import sharp, { type Sharp } from 'sharp';
import { differenceHash, hasStructure } from '../../shared/nearDuplicates';
import fs from 'node:fs';
import { describeFsError } from '../files/fsErrors';
import { MAX_PIXELS } from './imageFiles';
import { notAPhotoFile } from './photoFile';

export type CropMode = 'center' | 'squash';

/** Bump when decoding or preprocessing changes: cached features of older versions are not reused. */
export const PREPROCESSING_VERSION = 2;

export const THUMBNAIL_SIZE = 256;
const PREVIEW_SIZE = 1600;

/** An upright RGB image in memory (3 bytes a pixel, row after row). */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
  /** The file's own size, upright, before any resizing. */
  original: { width: number; height: number; format: string };
}

/** The short side a decode keeps for a model of this input size (and for the thumbnail). */
export function decodeSide(inputSize: number): number {
  return Math.max(THUMBNAIL_SIZE, inputSize);
}

/** Damaged (truncated) files are refused, not half-decoded; images over MAX_PIXELS are refused (decompression bombs). */
function open(input: string | Buffer): Sharp {
  return sharp(input, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' });
}

/**
 * A path is checked before the decoder opens it: a named pipe put where a photo was would block a
 * decoding thread, a folder or a device would fail obscurely. Throws the reason in words.
 */
async function checked(input: string | Buffer): Promise<string | Buffer> {
  if (typeof input !== 'string') return input;
  let problem: string | null;
  try {
    problem = notAPhotoFile(await fs.promises.stat(input));
  } catch (error) {
    problem = describeFsError(error);
  }
  if (problem) throw new Error(problem);
  return input;
}

/** Decodes a photo (a file path, or the file's bytes) to an upright RGB image whose short side is at most `shortSide`. */
export async function uprightRgb(input: string | Buffer, shortSide: number): Promise<RgbImage> {
  const image = open(await checked(input));
  const metadata = await image.metadata();
  const turned = (metadata.orientation ?? 1) >= 5;
  const width = (turned ? metadata.height : metadata.width) ?? 0;
  const height = (turned ? metadata.width : metadata.height) ?? 0;
  const { data, info } = await image
    .rotate()
    .resize({ width: shortSide, height: shortSide, fit: 'outside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, original: { width, height, format: metadata.format ?? 'unknown' } };
}

function fromRaw(rgb: RgbImage): Sharp {
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
}

/** The model's input: `size` x `size` RGB pixels 0–255, the middle square or the whole photo squashed. */
export function modelPixels(rgb: RgbImage, size: number, crop: CropMode): Promise<Buffer> {
  return fromRaw(rgb)
    .resize(size, size, { fit: crop === 'center' ? 'cover' : 'fill' })
    .raw()
    .toBuffer();
}

/** The grid's thumbnail: the whole photo within 256 x 256, as JPEG. */
export function thumbnailJpeg(rgb: RgbImage): Promise<Buffer> {
  return fromRaw(rgb)
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/**
 * The photo's 64-bit difference hash (see shared/nearDuplicates.ts), from its decoded image; null
 * for a photo with almost no structure (a blank frame, a flat colour), whose hash would match
 * every other such photo without their being copies.
 */
export async function perceptualHash(rgb: RgbImage): Promise<string | null> {
  const grey = await fromRaw(rgb).resize(9, 8, { fit: 'fill' }).greyscale().raw().toBuffer();
  return hasStructure(grey) ? differenceHash(grey) : null;
}

/** Decode then prepare: a photo as the model's input. */
export async function photoPixels(input: string | Buffer, size: number, crop: CropMode): Promise<Buffer> {
  return modelPixels(await uprightRgb(input, decodeSide(size)), size, crop);
}

/** A thumbnail straight from a file (photos classified outside the library get theirs on first view). */
export async function photoThumbnail(input: string | Buffer): Promise<Buffer> {
  return thumbnailJpeg(await uprightRgb(input, THUMBNAIL_SIZE));
}

/** The large view of a photo: upright, within 1600 x 1600, as JPEG (any format sharp reads becomes one every browser shows). */
export async function previewJpeg(file: string): Promise<Buffer> {
  return open(await checked(file))
    .rotate()
    .resize({ width: PREVIEW_SIZE, height: PREVIEW_SIZE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 88 })
    .toBuffer();
}
