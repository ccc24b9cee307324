/**
 * The photos of one shard: folders walked, or a list file read, each photo keyed by its path
 * relative to the folder (or list) it came from and kept when its key falls in the shard. Every
 * shard lists the same photos and keeps its own part, so shards need not talk to each other; the
 * totals say how many photos the whole listing had, for the merge to tell what is missing.
 */
import path from 'node:path';
import type { ShardListing } from '../../shared/shardOutput';
import { partitionKey, shardOf, type ShardSpec } from '../../shared/sharding';
import { findPhotos } from '../pipeline/findPhotos';
import { readPhotoList, type ListedPhoto } from '../pipeline/photoList';
import type { Problem } from '../pipeline/walkFiles';

export type PhotoSource = { folders: string[] } | { list: string };

export interface ShardPhotos {
  photos: ListedPhoto[];
  problems: Problem[];
  listing: ShardListing;
  /** Photos in the whole listing, every shard's (a list's path lines, repeats included). */
  listingTotal: number;
  /** List lines repeating a photo of this shard. */
  repeated: number;
}

/** The key of a photo found under a folder: its path relative to that folder. */
export function folderKey(root: string, file: string): string {
  return partitionKey(path.relative(root, file).split(path.sep).join('/'));
}

export async function listShard(source: PhotoSource, shard: ShardSpec, signal: AbortSignal): Promise<ShardPhotos> {
  const inShard = (key: string) => shardOf(key, shard.count) === shard.index;
  if ('list' in source) {
    const list = await readPhotoList(source.list, signal, inShard);
    const problems = list.badLines > list.problems.length ? [...list.problems, { path: path.resolve(source.list), reason: `${list.badLines} lines in all are not paths` }] : list.problems;
    return { photos: list.photos, problems, listing: { kind: 'list', file: path.resolve(source.list), sha256: list.sha256 }, listingTotal: list.total, repeated: list.repeated };
  }
  const found = await findPhotos(source.folders, signal);
  const photos = found.photos.map((p) => ({ path: p.path, key: folderKey(p.root, p.path) })).filter((p) => inShard(p.key));
  return { photos, problems: found.problems, listing: { kind: 'folders', roots: source.folders.map((f) => path.resolve(f)) }, listingTotal: found.photos.length, repeated: 0 };
}
