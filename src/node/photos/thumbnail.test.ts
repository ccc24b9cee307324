import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeSide, thumbnailJpeg, uprightRgb } from './decode';

async function photo(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13) % 256;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

const sizeOf = async (jpeg: Buffer) => {
  const { width, height, format } = await sharp(jpeg).metadata();
  return { width, height, format };
};

describe('thumbnails', () => {
  it('are the import’s decode itself for a 224 px network: short side 224, the whole photo', async () => {
    const rgb = await uprightRgb(await photo(800, 600), decodeSide(224));
    expect(await sizeOf(await thumbnailJpeg(rgb))).toEqual({ width: 299, height: 224, format: 'jpeg' });
  });

  it('are made smaller from a larger decode, and a panorama is kept to 448 px long', async () => {
    expect(await sizeOf(await thumbnailJpeg(await uprightRgb(await photo(800, 600), 384)))).toEqual({ width: 299, height: 224, format: 'jpeg' });
    expect(await sizeOf(await thumbnailJpeg(await uprightRgb(await photo(1800, 300), 224)))).toEqual({ width: 448, height: 75, format: 'jpeg' });
  });

  it('keep a small photo at its size', async () => {
    expect(await sizeOf(await thumbnailJpeg(await uprightRgb(await photo(120, 90), 224)))).toEqual({ width: 120, height: 90, format: 'jpeg' });
  });
});
