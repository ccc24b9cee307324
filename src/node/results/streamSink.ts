/**
 * Results of classifying without a project: rows appended to a CSV (or JSON Lines) file as they
 * come. The file itself is the record of what is done — a second run with the same output skips
 * the photos it lists, so a stopped run resumes and no photo appears twice.
 *
 * A JSON Lines row carries what a merge into a project needs (src/shared/shardOutput.ts): the
 * photo's path and partition key, its content hash, size and modification time, and the best
 * guesses with their full probabilities.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_LABEL, UNKNOWN_LABEL } from '../../shared/api/classify';
import { csvRow, parseCsv } from '../../shared/csv';
import type { ShardRow } from '../../shared/shardOutput';
import { readTextLines } from '../files/textLines';
import type { PhotoOutcome, ResultSink } from './resultSink';
import { CSV_HEADER, photoCsvRow } from './resultFiles';

export type StreamFormat = 'csv' | 'jsonl';

/** No row is anywhere near this long. */
const MAX_ROW_BYTES = 1024 * 1024;

export function streamFormat(file: string): StreamFormat | null {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.jsonl' ? 'jsonl' : null;
}

/** Drops a last line cut short by a crash, reading back from the end (the file may be large). */
function dropUnfinishedLine(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end < size) fs.ftruncateSync(fd, end);
  } finally {
    fs.closeSync(fd);
  }
}

/** The paths an earlier run wrote; a last line cut short by a crash is dropped from the file. */
async function resume(file: string, format: StreamFormat): Promise<Set<string>> {
  const done = new Set<string>();
  if (!fs.existsSync(file)) return done;
  dropUnfinishedLine(file);
  if (format === 'csv') {
    for (const row of parseCsv(fs.readFileSync(file, 'utf8')).slice(1)) done.add(row[0]);
    return done;
  }
  // A shard's JSON Lines may be larger than one string can be: read them as a stream.
  for await (const line of readTextLines(file, { maxBytes: MAX_ROW_BYTES })) {
    if (line.text === '') continue;
    let row: Partial<ShardRow> = {};
    try {
      row = line.text === null ? {} : (JSON.parse(line.text) as Partial<ShardRow>);
    } catch {
      // said below
    }
    if (typeof row.path !== 'string') throw new Error(`${file}, line ${line.number}, is not a row of results, so this file cannot be resumed: write to a new file.`);
    done.add(row.path);
  }
  return done;
}

export interface StreamSink extends ResultSink {
  /** Photos listed by an earlier run of the same output. */
  readonly resumed: number;
  /** Photos with a row in the file now. */
  readonly rows: number;
  counts: Map<string, number>;
  close(): void;
}

/**
 * @param keyOf the partition key of a photo's path (JSON Lines rows carry it).
 */
export async function openStreamSink(file: string, format: StreamFormat, labels: string[], threshold: number, keyOf: (photo: string) => string): Promise<StreamSink> {
  const done = await resume(file, format);
  const resumed = done.size;
  const fd = fs.openSync(file, 'a');
  if (format === 'csv' && fs.fstatSync(fd).size === 0) fs.writeSync(fd, csvRow(CSV_HEADER));
  const counts = new Map<string, number>();
  return {
    resumed,
    get rows() {
      return done.size;
    },
    counts,
    hasUnchanged: (photo) => done.has(photo),
    // Copies are found by content only within a project, which keeps hashes; here memory stays flat.
    byHash: () => undefined,
    write(outcomes: PhotoOutcome[]) {
      let text = '';
      for (const o of outcomes) {
        const [best] = o.top ?? [];
        const label = o.error ? ERROR_LABEL : best[1] < threshold ? UNKNOWN_LABEL : labels[best[0]];
        const photo = { path: o.path, label, confidence: best?.[1] ?? null, top: (o.top ?? []).map(([i, p]) => ({ label: labels[i], confidence: p })), error: o.error };
        if (format === 'csv') text += photoCsvRow(photo);
        else {
          const row: ShardRow = { path: o.path, key: keyOf(o.path), hash: o.hash, size: o.size, mtimeMs: o.mtimeMs, class: label, confidence: photo.confidence, top: photo.top, error: o.error };
          text += `${JSON.stringify(row)}\n`;
        }
        counts.set(label, (counts.get(label) ?? 0) + 1);
        done.add(o.path);
      }
      if (text) fs.writeSync(fd, text);
    },
    close: () => fs.closeSync(fd),
  };
}
