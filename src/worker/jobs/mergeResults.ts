/**
 * "Import results": brings the outputs of `graft classify --out x.jsonl` — typically the shards of
 * an array job run on a cluster — into the project's classified results, as if the project had
 * classified the photos itself (ClassifiedStore.merge: by content hash where the project knows
 * the photo, by path otherwise; idempotent).
 *
 * The outputs must come from one model and one split into shards (their manifests say so); a
 * mixture is refused before anything is written. What does not add up is reported, not hidden:
 * rows that are not rows, a photo present twice, and photos missing from every shard — counted
 * from the manifests (a shard with no output, a shard that did not finish), and named when the
 * listing can be read again here.
 */
import path from 'node:path';
import type { MergeResultsResult } from '../../shared/api/classify';
import { GraftError } from '../../shared/api/errors';
import type { JobParams } from '../../shared/jobs/registry';
import { manifestFileOf, type ShardManifest, type ShardRow } from '../../shared/shardOutput';
import { murmur3, shardOf } from '../../shared/sharding';
import type { MergeCounts } from '../../node/data/classifiedStore';
import type { PhotoOutcome } from '../../node/results/resultSink';
import { readManifest, readShardRows, shardOutputs } from '../../node/results/shardFiles';
import { listShard } from '../classify/shardListing';
import type { ProjectJobEnvironment } from './jobEnvironment';

const CHUNK = 2000;
const MAX_LISTED = 100;
const utf8 = new TextEncoder();

interface Output {
  file: string;
  manifest: ShardManifest;
}

/** 53 bits identifying a text, so that millions of photos are remembered as numbers, not strings. */
function print(text: string): number {
  const bytes = utf8.encode(text);
  return murmur3(bytes, 0) * 2 ** 21 + (murmur3(bytes, 1) >>> 11);
}

function readOutputs(inputs: string[]): Output[] {
  const outputs = shardOutputs(inputs).map((file) => {
    const manifest = readManifest(file);
    if (!manifest) throw new GraftError('invalid_request', `${file} has no ${path.basename(manifestFileOf(file))} beside it: copy the manifest its shard wrote with it (it says which model and which shard).`);
    return { file, manifest };
  });
  const [first] = outputs;
  const stranger = outputs.find((o) => o.manifest.model.identity !== first.manifest.model.identity);
  if (stranger) {
    throw new GraftError(
      'conflict',
      `${stranger.file} was classified by the model ${stranger.manifest.model.name}, ${first.file} by ${first.manifest.model.name}: results of different models do not merge. Import them one model at a time.`,
    );
  }
  const otherSplit = outputs.find((o) => o.manifest.shard.count !== first.manifest.shard.count);
  if (otherSplit) {
    throw new GraftError(
      'conflict',
      `${otherSplit.file} is one of ${otherSplit.manifest.shard.count} shards, ${first.file} one of ${first.manifest.shard.count}: the photos were split two ways, so shards of one split cannot be told complete. Import one split at a time.`,
    );
  }
  return outputs;
}

/** A row as the store takes it, or why it is not one. */
function toOutcome(row: ShardRow, labels: Map<string, number>): PhotoOutcome | string {
  const outcome: PhotoOutcome = { path: row.path, size: row.size, mtimeMs: row.mtimeMs, hash: row.hash, top: null, error: row.error };
  if (row.error !== null) return outcome;
  if (!row.top.length || row.hash === null) return 'a photo classified without guesses or a content hash';
  const top: [number, number][] = [];
  for (const guess of row.top) {
    const index = labels.get(guess.label);
    if (index === undefined) return `the class “${guess.label}” is not one of the model's`;
    top.push([index, guess.confidence]);
  }
  return { ...outcome, top };
}

export async function mergeResults(params: JobParams<'mergeResults'>, env: ProjectJobEnvironment): Promise<MergeResultsResult> {
  const started = Date.now();
  const { classified } = env.project.stores;
  const outputs = readOutputs(params.inputs);
  const { model, shard } = outputs[0].manifest;
  const shards = shard.count;
  const classifierId = classified.ensureClassifier({ identity: model.identity, runId: null, name: model.name, labels: model.labels });
  const labels = new Map(model.labels.map((label, i) => [label, i]));

  const counts: MergeCounts = { added: 0, updated: 0, unchanged: 0, byHash: 0 };
  const malformed: MergeResultsResult['malformed'] = [];
  const duplicates = { count: 0, examples: [] as string[] };
  // A photo is its partition key and its content: the first file and content print seen for each key.
  const seen = new Map<number, number>();
  const photosRead = new Array<number>(shards).fill(0);
  const files: MergeResultsResult['files'] = [];
  const expected = outputs.reduce((sum, o) => sum + o.manifest.rows, 0);
  let rows = 0;

  for (const [fileIndex, { file, manifest }] of outputs.entries()) {
    let batch: PhotoOutcome[] = [];
    let fileRows = 0;
    const flush = () => {
      const done = classified.merge(classifierId, batch);
      for (const k of Object.keys(counts) as (keyof MergeCounts)[]) counts[k] += done[k];
      batch = [];
      env.progress(rows, Math.max(expected, rows), 'photos', `Importing ${path.basename(file)}`);
    };
    for await (const read of readShardRows(file, env.signal)) {
      const bad = (reason: string) => malformed.length < MAX_LISTED && malformed.push({ file, line: read.line, reason });
      if ('problem' in read) {
        bad(read.problem);
        continue;
      }
      const { row } = read;
      if (shardOf(row.key, shards) !== manifest.shard.index) {
        bad(`the photo ${row.key} belongs to shard ${shardOf(row.key, shards)}, not to shard ${manifest.shard.index} as the manifest says`);
        continue;
      }
      const outcome = toOutcome(row, labels);
      if (typeof outcome === 'string') {
        bad(outcome);
        continue;
      }
      const keyPrint = print(row.key);
      const content = print(row.hash ?? row.path) % 2 ** 32;
      const first = seen.get(keyPrint);
      if (first === undefined) seen.set(keyPrint, fileIndex * 2 ** 32 + content);
      if (first !== undefined && first % 2 ** 32 === content) {
        duplicates.count++;
        const firstFile = path.basename(outputs[Math.floor(first / 2 ** 32)].file);
        if (duplicates.examples.length < MAX_LISTED) duplicates.examples.push(`${row.path} (in ${firstFile === path.basename(file) ? `${firstFile} twice` : `${firstFile} and ${path.basename(file)}`})`);
      } else photosRead[manifest.shard.index]++;
      batch.push(outcome);
      rows++;
      fileRows++;
      if (batch.length >= CHUNK) flush();
    }
    flush();
    files.push({ file, shard: manifest.shard.index, shards, rows: fileRows, photos: manifest.photos, complete: manifest.complete });
  }

  const missing = await findMissing(outputs, photosRead, seen, env.signal);
  return { classifierId, model: model.name, files, rows, ...counts, duplicates, missing, malformed, seconds: (Date.now() - started) / 1000 };
}

/**
 * Photos of the listing with no row: shards with no output, and the unread part of shards whose
 * run did not finish, by the manifests' counts; then, when something is missing and the listing
 * can be read again here (the same list file, or the folders), by name.
 */
async function findMissing(outputs: Output[], photosRead: number[], seen: Map<number, number>, signal: AbortSignal): Promise<MergeResultsResult['missing']> {
  const shards = photosRead.length;
  const byShard = new Map<number, ShardManifest[]>();
  for (const { manifest } of outputs) byShard.set(manifest.shard.index, [...(byShard.get(manifest.shard.index) ?? []), manifest]);
  const absentShards = [...Array(shards).keys()].filter((i) => !byShard.has(i));
  const unfinishedShards = [...byShard.entries()].filter(([, manifests]) => !manifests.some((m) => m.complete)).map(([i]) => i);
  const totals = new Set(outputs.map((o) => o.manifest.listingTotal));
  const listingTotal = Math.max(...totals);
  const inPresentShards = [...byShard.values()].reduce((sum, manifests) => sum + Math.max(...manifests.map((m) => m.photos + m.repeated)), 0);
  const unread = unfinishedShards.reduce((sum, i) => sum + Math.max(0, Math.max(...byShard.get(i)!.map((m) => m.photos)) - photosRead[i]), 0);
  let count = unread + (absentShards.length ? Math.max(0, listingTotal - inPresentShards) : 0);
  let exact = totals.size === 1 && absentShards.length === 0;
  const notes: string[] = [];
  if (absentShards.length || unfinishedShards.length) {
    const shardList = (list: number[]) => `shard${list.length > 1 ? 's' : ''} ${new Intl.ListFormat('en', { type: 'conjunction' }).format(list.map(String))}`;
    const absent = absentShards.length ? `No output of ${shardList(absentShards)}. ` : '';
    const unfinished = unfinishedShards.length ? `${shardList(unfinishedShards).replace(/^s/, 'S')} did not finish. ` : '';
    notes.push(`${absent}${unfinished}Run ${absentShards.length + unfinishedShards.length === 1 ? 'it' : 'them'} again (the same command and --out resume), then import again.`);
  }
  if (totals.size > 1) notes.push(`The shards saw listings of different sizes (${[...totals].join(', ')} photos): the photos changed while they ran.`);
  const examples: string[] = [];
  const listing = outputs[0].manifest.listing;
  const oneListing = outputs.every((o) => JSON.stringify(o.manifest.listing) === JSON.stringify(listing));
  if (count > 0 || !exact) {
    const source = listing.kind === 'list' ? { list: listing.file } : { folders: listing.roots };
    try {
      if (!oneListing) throw new Error('the shards listed different folders or lists');
      const all = await listShard(source, { index: 0, count: 1 }, signal);
      if (all.listing.kind === 'list' && listing.kind === 'list' && all.listing.sha256 !== listing.sha256) throw new Error(`${listing.file} has changed since the shards read it`);
      count = 0;
      for (const photo of all.photos) {
        if (seen.has(print(photo.key))) continue;
        count++;
        if (examples.length < MAX_LISTED) examples.push(photo.path);
      }
      exact = true;
    } catch (error) {
      notes.push(`The missing photos are counted from the shards' manifests, not named: ${error instanceof Error ? error.message.replace(/\.$/, '') : String(error)}.`);
    }
  }
  return { count, examples, exact, absentShards, unfinishedShards, note: notes.length ? notes.join(' ') : null };
}
