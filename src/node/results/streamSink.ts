/**
 * Results of classifying without a project: rows appended to a CSV (or JSON Lines) file as they
 * come. The file itself is the record of what is done — a second run with the same output skips
 * the photos it lists, so a stopped run resumes and no photo appears twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_LABEL, UNKNOWN_LABEL } from '../../shared/api/classify';
import { csvRow, parseCsv } from '../../shared/csv';
import type { PhotoOutcome, ResultSink } from './resultSink';
import { CSV_HEADER, photoCsvRow, photoJson } from './resultFiles';

export type StreamFormat = 'csv' | 'jsonl';

export function streamFormat(file: string): StreamFormat | null {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.jsonl' ? 'jsonl' : null;
}

/** The paths an earlier run wrote; a last line cut short by a crash is dropped from the file. */
function resume(file: string, format: StreamFormat): Set<string> {
  const done = new Set<string>();
  if (!fs.existsSync(file)) return done;
  let text = fs.readFileSync(file, 'utf8');
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) {
    fs.truncateSync(file, Buffer.byteLength(text.slice(0, complete)));
    text = text.slice(0, complete);
  }
  if (format === 'csv') for (const row of parseCsv(text).slice(1)) done.add(row[0]);
  else for (const line of text.split('\n').filter(Boolean)) done.add((JSON.parse(line) as { path: string }).path);
  return done;
}

export interface StreamSink extends ResultSink {
  /** Photos listed by an earlier run of the same output. */
  readonly resumed: number;
  counts: Map<string, number>;
  close(): void;
}

export function openStreamSink(file: string, format: StreamFormat, labels: string[], threshold: number): StreamSink {
  const done = resume(file, format);
  const fd = fs.openSync(file, 'a');
  if (format === 'csv' && fs.fstatSync(fd).size === 0) fs.writeSync(fd, csvRow(CSV_HEADER));
  const counts = new Map<string, number>();
  return {
    resumed: done.size,
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
        text += format === 'csv' ? photoCsvRow(photo) : `${photoJson(photo)}\n`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
        done.add(o.path);
      }
      if (text) fs.writeSync(fd, text);
    },
    close: () => fs.closeSync(fd),
  };
}
