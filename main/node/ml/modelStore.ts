/** Finds backbones in the models folder; says exactly what to do when one is missing. */
import fs from 'node:fs';
import path from 'node:path';
import { BACKBONES, findBackbone, type Backbone } from '../../../models/catalogue';
import { GraftError } from '../../../preload/common/errors';
import { userDataDir } from '../app/paths';

export function modelsDir(): string {
  return process.env.GRAFT_MODELS_DIR ? path.resolve(process.env.GRAFT_MODELS_DIR) : path.join(userDataDir(), 'models');
}

export function backboneFolder(backbone: Backbone): string {
  return path.join(modelsDir(), backbone.id);
}

export function isAvailable(backbone: Backbone): boolean {
  return fs.existsSync(path.join(backboneFolder(backbone), 'model.json'));
}

export function requireBackbone(name: string): Backbone {
  const backbone = findBackbone(name);
  if (!backbone) {
    throw new GraftError('not_found', `Unknown backbone “${name}”. Known: ${BACKBONES.map((b) => b.id).join(', ')}.`);
  }
  if (!isAvailable(backbone)) {
    throw new GraftError(
      'unavailable',
      `The backbone ${backbone.id} is not in the models folder (${modelsDir()}), and Graft cannot download it without internet. ` +
        `On a computer with internet, download ${backbone.url} and the weight files it lists beside it, and put them in ${backboneFolder(backbone)}. ` +
        `Available now: ${BACKBONES.filter(isAvailable).map((b) => b.id).join(', ') || 'none'}.`,
    );
  }
  return backbone;
}

