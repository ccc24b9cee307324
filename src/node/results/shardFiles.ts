/**
 * Shard outputs on disk: the manifest beside each .jsonl file (written whole through a temporary
 * file, so a killed shard leaves the last complete one), finding the outputs a merge is given, and
 * reading their rows back, validated, line by line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { manifestFileOf, MANIFEST_SUFFIX, ShardManifest, ShardRow } from '../../shared/shardOutput';
import { describeFsError } from '../files/fsErrors';
import { readTextLines } from '../files/textLines';
import { appVersion } from '../paths';

/** No row of a shard output is anywhere near this long; a longer line is reported, not read. */
const MAX_ROW_BYTES = 1024 * 1024;

export function readManifest(output: string): ShardManifest | null {
  const file = manifestFileOf(output);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new GraftError('invalid_request', `${file} cannot be read: ${describeFsError(error)}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GraftError('invalid_request', `${file} is not valid JSON.`);
  }
  const parsed = ShardManifest.safeParse(raw);
  if (!parsed.success) throw new GraftError('invalid_request', `${file} is not a manifest of Graft's classify: ${describeSchemaError(parsed.error, 'manifest')}`);
  return parsed.data;
}

export type ManifestFields = Omit<ShardManifest, 'format' | 'version' | 'host' | 'graftVersion' | 'updatedAt'>;

export function writeManifest(output: string, fields: ManifestFields): void {
  const manifest: ShardManifest = { format: 'graft-classify-output', version: 1, ...fields, host: os.hostname(), graftVersion: appVersion(), updatedAt: new Date().toISOString() };
  const file = manifestFileOf(output);
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(partial, file);
}

/**
 * Before a run appends to `output`: it must be a file this model and this shard of this listing
 * wrote, or new. Anything else is refused before a byte changes, with the reason.
 */
export function checkResumable(output: string, expected: Pick<ShardManifest, 'model' | 'shard' | 'listing'>): void {
  const existing = readManifest(output);
  const hasRows = fs.existsSync(output) && fs.statSync(output).size > 0;
  if (!existing) {
    if (hasRows) throw new GraftError('conflict', `${output} already holds results but has no ${path.basename(manifestFileOf(output))} beside it, so Graft cannot tell what wrote them: write to a new file.`);
    return;
  }
  if (!hasRows) return;
  const differs = (was: string, now: string) => new GraftError('conflict', `${output} holds results of ${was}, not of ${now}: write to another file (or delete it to start again).`);
  if (existing.model.identity !== expected.model.identity) throw differs(`the model ${existing.model.name}`, `the model ${expected.model.name}`);
  const shard = (m: Pick<ShardManifest, 'shard'>) => `shard ${m.shard.index}/${m.shard.count}`;
  if (shard(existing) !== shard(expected)) throw differs(shard(existing), shard(expected));
  const source = (m: Pick<ShardManifest, 'listing'>) => (m.listing.kind === 'list' ? `the list ${m.listing.file}` : `the folders ${m.listing.roots.join(', ')}`);
  if (source(existing) !== source(expected)) throw differs(source(existing), source(expected));
}

/**
 * The .jsonl outputs a merge reads: files given, and the outputs with a manifest in folders given.
 * Each file is read once however often it is named.
 */
export function shardOutputs(inputs: string[]): string[] {
  const files = new Map<string, string>();
  for (const input of inputs.map((i) => path.resolve(i))) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (error) {
      throw new GraftError('not_found', `${input} cannot be read: ${describeFsError(error)}.`);
    }
    const candidates = stat.isDirectory()
      ? fs
          .readdirSync(input)
          .filter((name) => name.endsWith('.jsonl') && fs.existsSync(path.join(input, `${name}${MANIFEST_SUFFIX}`)))
          .sort()
          .map((name) => path.join(input, name))
      : [input];
    if (stat.isDirectory() && !candidates.length) throw new GraftError('not_found', `${input} holds no classify outputs (.jsonl files with a ${MANIFEST_SUFFIX} beside them).`);
    for (const file of candidates) {
      if (!file.endsWith('.jsonl')) throw new GraftError('invalid_request', `${file} is not a classify output: give the .jsonl files written by graft classify --out.`);
      files.set(fs.realpathSync(file), file);
    }
  }
  return [...files.values()];
}

export type ReadRow = { line: number; row: ShardRow } | { line: number; problem: string };

/** The rows of an output, validated; a line that is not a row says why (a last line cut short by a killed shard among them). */
export async function* readShardRows(output: string, signal?: AbortSignal): AsyncGenerator<ReadRow> {
  for await (const line of readTextLines(output, { maxBytes: MAX_ROW_BYTES, signal })) {
    if (line.text === null) {
      yield { line: line.number, problem: line.problem! };
      continue;
    }
    if (line.text.trim() === '') continue;
    if (!line.terminated) {
      yield { line: line.number, problem: 'cut short (the shard stopped while writing it; run the shard again to finish it)' };
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line.text);
    } catch {
      yield { line: line.number, problem: 'not JSON' };
      continue;
    }
    const parsed = ShardRow.safeParse(raw);
    if (parsed.success) yield { line: line.number, row: parsed.data };
    else yield { line: line.number, problem: describeSchemaError(parsed.error, 'row') };
  }
}
