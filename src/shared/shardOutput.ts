/**
 * What `graft classify … --out file.jsonl` writes, for people's tools and for `graft results
 * merge`: one JSON row per photo (its path, partition key, content hash, size and modification
 * time, best guesses), and beside it `file.jsonl.manifest.json`, which says which model, which
 * shard of which listing, how many photos that shard holds, and whether its run finished. Both come
 * from other machines, so the merge validates them like any message from outside.
 */
import { z } from 'zod';
import { ShardParam } from './api/classify';

export const MANIFEST_SUFFIX = '.manifest.json';

export function manifestFileOf(output: string): string {
  return `${output}${MANIFEST_SUFFIX}`;
}

const Count = z.number().int().min(0);

export const ShardListing = z.discriminatedUnion('kind', [
  /** Folders walked (as the shard saw them); keys are paths relative to the folder each photo is under. */
  z.object({ kind: z.literal('folders'), roots: z.array(z.string()).min(1) }),
  /** A list file, one path per line; keys are the lines, normalised. */
  z.object({ kind: z.literal('list'), file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
export type ShardListing = z.infer<typeof ShardListing>;

export const ShardManifest = z
  .object({
    format: z.literal('graft-classify-output'),
    version: z.literal(1),
    model: z.object({
      /** 'onnx:<sha256 of model.onnx>' or 'tfjs:<sha256 of the weights>': results of one model only merge together. */
      identity: z.string().min(1),
      name: z.string(),
      labels: z.array(z.string().min(1)).min(2),
      folder: z.string(),
    }),
    shard: ShardParam,
    listing: ShardListing,
    /** Photos in the whole listing, every shard's (for a list: its path lines, repeats included). */
    listingTotal: Count,
    /** This shard's photos in the listing, each once. */
    photos: Count,
    /** Lines of a list naming a photo of this shard again (done once). */
    repeated: Count,
    /** The run that wrote this last got to the end: every photo of the shard has a row. */
    complete: z.boolean(),
    /** Photos with a row when this was written. */
    rows: Count,
    host: z.string(),
    graftVersion: z.string(),
    updatedAt: z.string(),
  })
  .strict();
export type ShardManifest = z.infer<typeof ShardManifest>;

export const ShardRow = z.object({
  path: z.string().min(1),
  /** The partition key: the path relative to its folder or list ('/'-separated). */
  key: z.string().min(1),
  /** SHA-256 of the file's bytes; null when it could not be read. */
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'not a SHA-256 in hex')
    .nullable(),
  size: Count,
  mtimeMs: z.number().int(),
  /** The best class, `unknown` below the threshold of that run, or `error`. */
  class: z.string(),
  confidence: z.number().min(0).max(1).nullable(),
  top: z.array(z.object({ label: z.string(), confidence: z.number().min(0).max(1) })),
  error: z.string().nullable(),
});
export type ShardRow = z.infer<typeof ShardRow>;
