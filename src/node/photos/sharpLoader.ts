/**
 * sharp (libvips), loaded on first use: most CLI commands never decode a photo, and loading it cost
 * every command ~40 ms of its start. The job worker loads it at once anyway (it sets its threads).
 */
import { createRequire } from 'node:module';
import type SharpModule from 'sharp';
import type { Sharp } from 'sharp';

let loaded: typeof SharpModule | null = null;

export function sharp(input?: Parameters<typeof SharpModule>[0], options?: Parameters<typeof SharpModule>[1]): Sharp {
  loaded ??= createRequire(__filename)('sharp') as typeof SharpModule;
  return loaded(input, options);
}
