import { describe, expect, it } from 'vitest';
import { differenceHash, hasStructure } from '../../shared/nearDuplicates';
import { perceptualHash, type RgbImage } from './decode';

/** The definition, pixel by pixel: each pixel's luma added to the cell its column and row fall in. */
function hashPixelByPixel(rgb: RgbImage): string | null {
  const sums = new Float64Array(72);
  const counts = new Float64Array(72);
  for (let y = 0; y < rgb.height; y++) {
    for (let x = 0; x < rgb.width; x++) {
      const cell = Math.floor((y * 8) / rgb.height) * 9 + Math.floor((x * 9) / rgb.width);
      const i = (y * rgb.width + x) * 3;
      sums[cell] += 0.299 * rgb.data[i] + 0.587 * rgb.data[i + 1] + 0.114 * rgb.data[i + 2];
      counts[cell]++;
    }
  }
  const grey = sums.map((sum, cell) => sum / counts[cell]);
  return hasStructure(grey) ? differenceHash(grey) : null;
}

function image(width: number, height: number, pixel: (x: number, y: number, channel: number) => number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = pixel(x, y, c);
  return { data, width, height, original: { width, height, format: 'jpeg' } };
}

describe('perceptual hashes', () => {
  it('are the pixel-by-pixel definition exactly, whatever the size (cells of unequal widths included)', () => {
    let seed = 7;
    const noise = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (const [width, height] of [[9, 8], [10, 17], [13, 9], [224, 299], [299, 224], [448, 75], [1000, 11], [31, 250]]) {
      // Stripes one column wide: a column given to the wrong cell changes that cell's average.
      const stripes = image(width, height, (x, y, c) => ((x * 37 + y * 11 + c * 5) % 7) * 36);
      const random = image(width, height, () => noise());
      for (const rgb of [stripes, random]) {
        const hash = perceptualHash(rgb);
        expect(hash).toBe(hashPixelByPixel(rgb));
      }
    }
  });

  it('are null for a photo too small or without structure', () => {
    expect(perceptualHash(image(8, 8, () => 100))).toBeNull();
    expect(perceptualHash(image(64, 48, () => 100))).toBeNull();
  });
});
