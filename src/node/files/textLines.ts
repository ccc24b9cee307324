/**
 * Reads a text file line by line as a stream, for files that come from elsewhere and may be large
 * (a list of ten million photo paths, a shard's results): memory stays one chunk plus one line,
 * and a line longer than `maxBytes` is skipped and said, never held whole.
 */
import fs from 'node:fs';

export interface TextLine {
  /** Counting from 1. */
  number: number;
  /** The line without its line break; null when it could not be taken (see `problem`). */
  text: string | null;
  problem: string | null;
  /** False for a last line with no line break after it (a writer stopped mid-line). */
  terminated: boolean;
}

const CHUNK = 1024 * 1024;

export async function* readTextLines(file: string, options: { maxBytes: number; onBytes?: (chunk: Buffer) => void; signal?: AbortSignal }): AsyncGenerator<TextLine> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${file} is not a file.`);
    const buffer = Buffer.allocUnsafe(CHUNK);
    let pieces: Buffer[] = [];
    let length = 0;
    let tooLong = false;
    let number = 0;
    const append = (piece: Buffer) => {
      if (length + piece.length > options.maxBytes) {
        tooLong = true;
        pieces = [];
        length = 0;
        return;
      }
      // The chunk buffer is reused by the next read: keep a copy.
      pieces.push(Buffer.from(piece));
      length += piece.length;
    };
    const take = (terminated: boolean): TextLine => {
      number++;
      const bytes = Buffer.concat(pieces, length);
      pieces = [];
      length = 0;
      if (tooLong) {
        tooLong = false;
        return { number, text: null, problem: `longer than ${options.maxBytes} bytes`, terminated };
      }
      const line = bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes;
      const text = line.toString('utf8');
      if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(line)) return { number, text: null, problem: 'not valid UTF-8 text', terminated };
      return { number, text, problem: null, terminated };
    };
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      options.onBytes?.(chunk);
      let start = 0;
      for (let end = chunk.indexOf(0x0a, start); end >= 0; end = chunk.indexOf(0x0a, start)) {
        if (!tooLong) append(chunk.subarray(start, end));
        yield take(true);
        start = end + 1;
      }
      if (start < chunk.length && !tooLong) append(chunk.subarray(start));
    }
    if (length > 0 || tooLong) yield take(false);
  } finally {
    await handle.close();
  }
}
