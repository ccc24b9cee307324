/**
 * Finds backbones in the models folder — the catalogue's, and those the user imported (each
 * described by a graft-backbone.json beside its model.json, or its model.onnx) — and says
 * exactly what to do when one is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BACKBONES, findBackbone, PREPROCESSINGS, TFLITE_BACKBONES, type Backbone } from '../../shared/catalogue';
import { GraftError } from '../../shared/api/errors';
import { catalogueTitle } from '../../shared/backboneDownloads';
import { userDataDir } from '../paths';

export const IMPORTED_DESCRIPTION = 'graft-backbone.json';

/** A folder of the models folder that Graft describes with graft-backbone.json: an import, or a catalogue TFLite backbone it downloaded and converted. */
function isDescribedFolder(name: string): boolean {
  return /^imported_[a-z0-9_]+$/.test(name) || TFLITE_BACKBONES.some((b) => b.id === name);
}

/** graft-backbone.json: written by Graft on import (and on a TFLite download), validated on reading like any file from disk. */
export const ImportedBackbone = z.object({
  id: z.string().refine(isDescribedFolder, 'Not the id of an imported backbone or of a TFLite backbone of the catalogue.'),
  title: z.string(),
  family: z.literal('imported'),
  format: z.enum(['layers', 'graph', 'onnx']),
  alpha: z.null(),
  url: z.string(),
  inputSize: z.number().int().min(8).max(4096),
  preprocessing: z.enum(PREPROCESSINGS),
  featureLayer: z.string(),
  pool: z.boolean(),
  fineTuneFrom: z.null(),
  featureSize: z.number().int().min(1),
  licence: z.string(),
});

export function modelsDir(): string {
  return process.env.GRAFT_MODELS_DIR ? path.resolve(process.env.GRAFT_MODELS_DIR) : path.join(userDataDir(), 'models');
}

export function backboneFolder(backbone: Backbone): string {
  return path.join(modelsDir(), backbone.id);
}

/** An imported ONNX backbone's model, in its folder: from pixels to features (written by the import). */
export const IMPORTED_ONNX = 'model.onnx';

/** The file whose presence says the backbone is in the models folder. */
function mainFile(backbone: Backbone): string {
  return path.join(backboneFolder(backbone), backbone.format === 'onnx' ? IMPORTED_ONNX : 'model.json');
}

/** The backbone's files in the models folder: model.json and every weight file it lists, or an imported ONNX model. */
export function backboneFiles(backbone: Backbone): string[] {
  if (backbone.format === 'onnx') return [mainFile(backbone)];
  const folder = backboneFolder(backbone);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')) as { weightsManifest?: { paths: string[] }[] };
  return [path.join(folder, 'model.json'), ...(manifest.weightsManifest ?? []).flatMap((group) => group.paths.map((p) => path.join(folder, path.basename(p))))];
}

export function isAvailable(backbone: Backbone): boolean {
  return fs.existsSync(mainFile(backbone));
}

/** The backbones Graft converted into the models folder: those imported, and the catalogue's TFLite ones once downloaded. */
export function importedBackbones(): Backbone[] {
  const dir = modelsDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter(isDescribedFolder)
    .flatMap((name) => {
      try {
        const backbone = ImportedBackbone.parse(JSON.parse(fs.readFileSync(path.join(dir, name, IMPORTED_DESCRIPTION), 'utf8')));
        // Its folder is found by its id: a description claiming another id describes nothing here.
        return backbone.id === name ? [backbone] : [];
      } catch {
        return []; // not (or no longer) a complete import
      }
    });
}

/** The catalogue, then the imported backbones. */
export function allBackbones(): Backbone[] {
  return [...BACKBONES, ...importedBackbones()];
}

export function lookupBackbone(name: string): Backbone | undefined {
  return findBackbone(name) ?? importedBackbones().find((b) => b.id === name.trim());
}

/** A network's title for people, whether the catalogue lists it or the user imported it (its id when neither knows it). */
export function backboneTitle(id: string): string {
  return lookupBackbone(id)?.title ?? catalogueTitle(id);
}

export function requireBackbone(name: string): Backbone {
  const backbone = lookupBackbone(name);
  if (!backbone) {
    throw new GraftError('not_found', `Unknown backbone “${name}”. Known: ${allBackbones().map((b) => b.id).join(', ')}.`);
  }
  if (!isAvailable(backbone)) {
    throw new GraftError(
      'unavailable',
      `The backbone ${backbone.id} is not in the models folder (${modelsDir()}), and Graft cannot download it without internet. ` +
        `On a computer with internet, download ${backbone.url} and the weight files it lists beside it, and put them in ${backboneFolder(backbone)}. ` +
        `Available now: ${allBackbones().filter(isAvailable).map((b) => b.id).join(', ') || 'none'}.`,
    );
  }
  return backbone;
}
