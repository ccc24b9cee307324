import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readExifFacts } from './exif';

const photoWithExif = (exif: Record<string, Record<string, string>>) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).withExif(exif).jpeg().toBuffer();

describe('readExifFacts', () => {
  it('reads when the photo was taken and the camera', async () => {
    const photo = await photoWithExif({ IFD0: { Make: 'Canon', Model: 'Canon EOS 5D', DateTime: '2020:01:01 00:00:00' }, IFD2: { DateTimeOriginal: '2024:05:01 14:03:22' } });
    const { exif } = await sharp(photo).metadata();
    expect(readExifFacts(exif)).toEqual({ takenAt: '2024-05-01T14:03:22', camera: 'Canon EOS 5D' });
  });

  it('falls back to the date the file was written, and says the make once', async () => {
    const photo = await photoWithExif({ IFD0: { Make: 'FUJIFILM', Model: 'X-T3', DateTime: '2021:07:04 09:10:11' } });
    expect(readExifFacts((await sharp(photo).metadata()).exif)).toEqual({ takenAt: '2021-07-04T09:10:11', camera: 'FUJIFILM X-T3' });
  });

  it('gives nothing, and never throws, for missing or damaged blocks', async () => {
    expect(readExifFacts(undefined)).toEqual({ takenAt: null, camera: null });
    const photo = await photoWithExif({ IFD0: { Make: 'Canon', Model: 'EOS', DateTime: '2021:07:04 09:10:11' } });
    const exif = (await sharp(photo).metadata()).exif!;
    for (let cut = 0; cut < exif.length; cut += 7) expect(() => readExifFacts(exif.subarray(0, cut))).not.toThrow();
    const garbage = Buffer.from(exif);
    for (let i = 14; i < garbage.length; i += 3) garbage[i] = 0xff;
    expect(() => readExifFacts(garbage)).not.toThrow();
  });
});
