/**
 * Classifying without a project: an exported model, results appended to a .csv or .jsonl file as
 * they come. The file is the record of what is done: a second run with the same file skips the
 * photos it lists, so a stopped run resumes and no photo appears twice.
 *
 * One shard of many (an array task of a batch engine) classifies only the photos whose partition
 * key falls in it, into a .jsonl file whose manifest says which model, which shard and how many
 * photos the listing had — what `graft results merge` needs to put the shards back together.
 */
import path from 'node:path';
import { ERROR_LABEL, UNKNOWN_LABEL, type ClassifyToFileResult } from '../../shared/api/classify';
import type { JobParams } from '../../shared/jobs/registry';
import { checkResumable, writeManifest, type ManifestFields } from '../../node/results/shardFiles';
import { openStreamSink, streamFormat } from '../../node/results/streamSink';
import { classifyFiles } from '../classify/classifyFiles';
import { listShard } from '../classify/shardListing';
import { classifierForFolder } from '../ml/classifier';
import type { AppJobEnvironment } from './jobEnvironment';

export async function classifyToFile(params: JobParams<'classifyToFile'>, env: AppJobEnvironment): Promise<ClassifyToFileResult> {
  const out = path.resolve(params.out);
  const format = streamFormat(out);
  if (!format) throw new Error('Without a project, results go to a .csv or .jsonl file (written as they come, and resumed).');
  const { shard } = params;
  env.progress(0, null, 'photos', params.list ? 'Reading the list of photos' : 'Looking for photos');
  const listed = await listShard(params.list ? { list: params.list } : { folders: params.folders }, shard, env.signal);
  const classifier = await classifierForFolder(params.model);
  try {
    let manifest: ManifestFields | null = null;
    if (format === 'jsonl') {
      const model = { identity: classifier.identity, name: classifier.name, labels: classifier.labels, folder: path.resolve(params.model) };
      checkResumable(out, { model, shard, listing: listed.listing });
      manifest = { model, shard, listing: listed.listing, listingTotal: listed.listingTotal, photos: listed.photos.length, repeated: listed.repeated, complete: false, rows: 0 };
    }
    const keys = new Map(listed.photos.map((p) => [p.path, p.key]));
    const sink = await openStreamSink(out, format, classifier.labels, params.threshold, (photo) => keys.get(photo)!);
    try {
      // Said before the first photo: a shard stopped from now on is seen as unfinished by a merge.
      if (manifest) writeManifest(out, { ...manifest, rows: sink.rows });
      const files = listed.photos.map((p) => p.path);
      const result = await classifyFiles(files, listed.problems, classifier, sink, { topK: params.topK, context: env });
      if (manifest) writeManifest(out, { ...manifest, rows: sink.rows, complete: true });
      const counts = [...classifier.labels, UNKNOWN_LABEL, ERROR_LABEL].map((label) => ({ label, count: sink.counts.get(label) ?? 0 }));
      return { classifierId: null, ...result, out, counts, resumed: sink.resumed, shard, listingTotal: listed.listingTotal };
    } finally {
      sink.close();
    }
  } finally {
    await classifier.model.release();
  }
}
