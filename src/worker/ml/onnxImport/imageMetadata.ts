/**
 * What an ONNX model's metadata says about the pixels it takes, in the keys ONNX defines for
 * images (onnx/docs/MetadataProps.md; Windows ML and Custom Vision write them):
 * `Image.NominalPixelRange` (NominalRange_0_255, Normalized_0_1, Normalized_1_1, NominalRange_16_235),
 * `Image.BitmapPixelFormat` (Rgb8, Bgr8, Gray8, Rgba8, Bgra8) and `Image.ColorSpaceGamma` (SRGB,
 * Linear). Keys and values are case-insensitive. What Graft cannot feed is refused by name
 * rather than fed wrongly.
 */
import { GraftError } from '../../../shared/api/errors';
import type { Preprocessing } from '../../../shared/catalogue';
import type { OnnxModel } from '../../onnx/onnxModel';

export interface ImageMetadata {
  /** The pixel range it says, or null when it does not say. */
  preprocessing: Preprocessing | null;
  /** It takes channels as B, G, R. */
  bgr: boolean;
  /** The entries read, as "key = value", for people. */
  said: string[];
}

const RANGES: Record<string, Preprocessing> = { nominalrange_0_255: 'scale_0_255', normalized_0_1: 'scale_0_1', normalized_1_1: 'scale_-1_1' };

export function imageMetadata(model: OnnxModel): ImageMetadata {
  const refuse = (reason: string) => new GraftError('invalid_request', `${model.file} ${reason}`);
  const entry = (key: string) => [...model.metadata].find(([k]) => k.toLowerCase() === key.toLowerCase());
  const said: string[] = [];
  const read = (key: string) => {
    const found = entry(key);
    if (found) said.push(`${found[0]} = ${found[1]}`);
    return found ? { written: found[1], value: found[1].trim().toLowerCase() } : null;
  };

  const range = read('Image.NominalPixelRange');
  let preprocessing: Preprocessing | null = null;
  if (range) {
    preprocessing = RANGES[range.value] ?? null;
    if (!preprocessing) throw refuse(`says it takes pixels in the range “${range.written}” (Image.NominalPixelRange); Graft feeds NominalRange_0_255, Normalized_0_1 or Normalized_1_1.`);
  }
  const format = read('Image.BitmapPixelFormat');
  if (format && format.value !== 'rgb8' && format.value !== 'bgr8') throw refuse(`says it takes “${format.written}” pixels (Image.BitmapPixelFormat); Graft feeds colour photos as Rgb8 or Bgr8.`);
  const gamma = read('Image.ColorSpaceGamma');
  if (gamma && gamma.value !== 'srgb') throw refuse(`says it takes pixels in the “${gamma.written}” colour space (Image.ColorSpaceGamma); Graft's photos are sRGB.`);
  return { preprocessing, bgr: format?.value === 'bgr8', said };
}
