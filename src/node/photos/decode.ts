/**
 * The one way Graft decodes a photo. A file is decoded once — upright (EXIF orientation applied),
 * sRGB, transparent parts on white — into a small RGB image whose short side is just large
 * enough for everything made from it: the thumbnail, the perceptual hash, and the model's input
 * (centre-cropped or squashed to the network's size). Training, classifying, suggesting and the
 * export check all go through `modelPixels`, so a model sees its photos prepared exactly as it
 * was trained.
 *
 * Decoding is most of the CPU an import spends besides the network, so each step after the one
 * libvips pipeline that decodes is as cheap as it can be: for the usual 224 px networks the
 * decode's short side is the network's size, and the centre crop is a copy of rows; the hash is
 * averaged in JavaScript. (Each further sharp pipeline costs about 0.5 ms even on a small image.)
 */
import type { Sharp } from 'sharp';
import { sharp } from './sharpLoader';
import { differenceHash, hasStructure } from '../../shared/nearDuplicates';
import fs from 'node:fs';
import { describeFsError } from '../files/fsErrors';
import { MAX_PIXELS } from './imageFiles';
import { photoHeader } from './photoHeader';
import { notAPhotoFile } from './photoFile';

export type CropMode = 'center' | 'squash';

/** Bump when decoding or preprocessing changes: cached features of older versions are not reused. */
export const PREPROCESSING_VERSION = 3;

/**
 * A thumbnail's short side is at most 224 px — the decode's own size for the usual 224 px
 * networks, so an import encodes the decode as it is, without a resize (which would double the
 * thumbnail's cost) — and its long side at most twice that (a panorama is not kept at length).
 */
export const THUMBNAIL_SHORT_SIDE = 224;
const THUMBNAIL_LONG_SIDE = 2 * THUMBNAIL_SHORT_SIDE;
/** The smallest short side a decode keeps: a thumbnail's. */
const MIN_DECODE_SIDE = THUMBNAIL_SHORT_SIDE;
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
  return Math.max(MIN_DECODE_SIDE, inputSize);
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
  const metadata = (typeof input === 'string' ? null : photoHeader(input)) ?? (await image.metadata());
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

/** The middle `size` x `size` square of an image whose short side is `size`: whole rows copied. */
function middleSquare(rgb: RgbImage, size: number): Buffer {
  const left = Math.floor((rgb.width - size) / 2);
  const top = Math.floor((rgb.height - size) / 2);
  const square = Buffer.allocUnsafe(size * size * 3);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * rgb.width + left) * 3;
    rgb.data.copy(square, y * size * 3, from, from + size * 3);
  }
  return square;
}

/** The model's input: `size` x `size` RGB pixels 0–255, the middle square or the whole photo squashed. */
export async function modelPixels(rgb: RgbImage, size: number, crop: CropMode): Promise<Buffer> {
  if (crop === 'center' && Math.min(rgb.width, rgb.height) === size) return middleSquare(rgb, size);
  return fromRaw(rgb)
    .resize(size, size, { fit: crop === 'center' ? 'cover' : 'fill' })
    .raw()
    .toBuffer();
}

/** The grid's thumbnail: the whole photo, short side at most 224 px and long side at most 448, as JPEG. */
export function thumbnailJpeg(rgb: RgbImage): Promise<Buffer> {
  const scale = Math.min(1, THUMBNAIL_SHORT_SIDE / Math.min(rgb.width, rgb.height), THUMBNAIL_LONG_SIDE / Math.max(rgb.width, rgb.height));
  const image = fromRaw(rgb);
  if (scale < 1) image.resize(Math.max(1, Math.round(rgb.width * scale)), Math.max(1, Math.round(rgb.height * scale)), { fit: 'fill' });
  // Huffman tables optimised per thumbnail make it 4 % smaller for 20 % more of its time (measured
  // on cats_and_dogs): not worth it at import. Quality 75: a 224 x 299 thumbnail is ~11 KiB.
  return image.jpeg({ quality: 75, optimiseCoding: false }).toBuffer();
}

/**
 * The photo's 64-bit difference hash (see shared/nearDuplicates.ts), from its decoded image; null
 * for a photo with almost no structure (a blank frame, a flat colour), whose hash would match
 * every other such photo without their being copies.
 */
export function perceptualHash(rgb: RgbImage): string | null {
  if (rgb.width < 9 || rgb.height < 8) return null;
  const grey = greyCells(rgb, 9, 8);
  return hasStructure(grey) ? differenceHash(grey) : null;
}

/**
 * The image's brightness (Rec. 601 luma, 0–255) averaged over a grid of `columns` x `rows` cells.
 * Each cell's pixels in a row are one run of columns, summed in a local: the same additions in the
 * same order as pixel by pixel (so the same hashes as ever), in half the time — an import runs
 * this on every photo.
 */
function greyCells(rgb: RgbImage, columns: number, rows: number): Float64Array {
  const { data, width, height } = rgb;
  const sums = new Float64Array(columns * rows);
  const counts = new Float64Array(columns * rows);
  // Column x belongs to cell floor(x * columns / width): cell c's columns are [firstColumn[c], firstColumn[c + 1]).
  const firstColumn = Int32Array.from({ length: columns + 1 }, (_, c) => Math.ceil((c * width) / columns));
  for (let y = 0; y < height; y++) {
    const rowStart = Math.floor((y * rows) / height) * columns;
    for (let c = 0; c < columns; c++) {
      const cell = rowStart + c;
      let sum = sums[cell];
      const end = (y * width + firstColumn[c + 1]) * 3;
      for (let i = (y * width + firstColumn[c]) * 3; i < end; i += 3) sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sums[cell] = sum;
      counts[cell] += firstColumn[c + 1] - firstColumn[c];
    }
  }
  return sums.map((sum, cell) => sum / counts[cell]);
}

/** Decode then prepare: a photo as the model's input. */
export async function photoPixels(input: string | Buffer, size: number, crop: CropMode): Promise<Buffer> {
  return modelPixels(await uprightRgb(input, decodeSide(size)), size, crop);
}

/** A thumbnail straight from a file (photos classified outside the library get theirs on first view). */
export async function photoThumbnail(input: string | Buffer): Promise<Buffer> {
  return thumbnailJpeg(await uprightRgb(input, THUMBNAIL_SHORT_SIDE));
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
