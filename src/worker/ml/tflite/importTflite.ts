/**
 * A TensorFlow Lite model as a backbone: the .tflite file a path names, converted into a
 * TensorFlow.js layers model folder (model.json + weights.bin) that the rest of Graft loads like
 * any imported layers model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GraftError } from '../../../shared/api/errors';
import { readTflite } from './tfliteModel';
import type { PixelScaling } from '../../../shared/catalogue';
import { tfliteToLayersModel, type ConvertedTflite } from './tfliteToLayersModel';

/**
 * The .tflite file `source` names: itself, or the only .tflite in a folder without a model.json;
 * null when it names a TensorFlow.js model folder (or nothing).
 */
export function tfliteFile(source: string): string | null {
  if (/\.tflite$/i.test(source)) return source;
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory() || fs.existsSync(path.join(source, 'model.json'))) return null;
  const files = fs.readdirSync(source).filter((name) => /\.tflite$/i.test(name));
  if (files.length > 1) throw new GraftError('invalid_request', `${source} holds ${files.length} TensorFlow Lite models (${files.join(', ')}); choose one of the files.`);
  return files.length === 1 ? path.join(source, files[0]) : null;
}

/** Converts the .tflite file into `folder` as model.json + weights.bin. */
export function writeTfliteAsLayersModel(file: string, folder: string, graftScaling: PixelScaling): ConvertedTflite {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GraftError('not_found', `${file} does not exist.`);
    throw new GraftError('not_found', `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const converted = tfliteToLayersModel(readTflite(bytes, file), graftScaling);
  const { modelTopology, weightSpecs, weightData } = converted.artifacts;
  fs.writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(weightData));
  const manifest = { format: 'layers-model', generatedBy: `Graft, from ${path.basename(file)}`, convertedBy: null, modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] };
  fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(manifest));
  return converted;
}
