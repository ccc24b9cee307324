import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { uprightRgb } from './decode';
import { photoHeader } from './photoHeader';

/** A 40 x 30 photo with some structure, in a format and with an EXIF orientation. */
async function photo(format: 'jpeg' | 'png' | 'webp', options: { orientation?: number; progressive?: boolean } = {}): Promise<Buffer> {
  const pixels = Buffer.alloc(40 * 30 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 256;
  let image = sharp(pixels, { raw: { width: 40, height: 30, channels: 3 } });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  if (format === 'jpeg') image = image.jpeg({ progressive: options.progressive ?? false });
  else if (format === 'png') image = image.png();
  else image = image.webp();
  return image.toBuffer();
}

describe('photoHeader', () => {
  it('reads what the decoder reads from JPEGs, baseline and progressive, with every orientation', async () => {
    for (const progressive of [false, true]) {
      for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const bytes = await photo('jpeg', { orientation, progressive });
        const metadata = await sharp(bytes).metadata();
        expect(photoHeader(bytes), `orientation ${orientation}, progressive ${progressive}`).toEqual({ format: 'jpeg', width: metadata.width, height: metadata.height, orientation: metadata.orientation ?? 1 });
      }
    }
  });

  it('reads a PNG, and says 1 for a JPEG without EXIF', async () => {
    expect(photoHeader(await photo('png'))).toEqual({ format: 'png', width: 40, height: 30, orientation: 1 });
    expect(photoHeader(await photo('jpeg'))).toEqual({ format: 'jpeg', width: 40, height: 30, orientation: 1 });
  });

  it('leaves other formats, PNGs with EXIF and damaged headers to the decoder (null)', async () => {
    expect(photoHeader(await photo('webp'))).toBeNull();
    const jpeg = await photo('jpeg', { orientation: 6 });
    // Cut inside the segments before the frame header, and garbage.
    expect(photoHeader(jpeg.subarray(0, 30))).toBeNull();
    expect(photoHeader(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2]))).toBeNull();
    expect(photoHeader(Buffer.alloc(100))).toBeNull();
    // A PNG with an eXIf chunk before its data.
    const png = await photo('png');
    const exifChunk = Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from('eXIf'), Buffer.from('MM\0*'), Buffer.alloc(4)]);
    const withExif = Buffer.concat([png.subarray(0, 33), exifChunk, png.subarray(33)]);
    expect(photoHeader(withExif)).toBeNull();
    // A frame header that says the height comes later (DNL).
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const noHeight = Buffer.from(jpeg);
    noHeight.writeUInt16BE(0, sof + 5);
    expect(photoHeader(noHeight)).toBeNull();
  });

  it('gives the decode the upright size of a turned photo, as the decoder does', async () => {
    const turned = await uprightRgb(await photo('jpeg', { orientation: 6 }), 224);
    expect(turned.original).toEqual({ width: 30, height: 40, format: 'jpeg' });
    expect([turned.width, turned.height]).toEqual([30, 40]);
  });
});
