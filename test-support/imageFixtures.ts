/** Image files made by the tests themselves: real small photos and the broken files of the import issue. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

export async function writeJpeg(file: string, color: { r: number; g: number; b: number }, size = 64): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: size, height: size, channels: 3, background: color } }).jpeg().toFile(file);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A tiny PNG file whose header declares width x height pixels: a decompression bomb's shape. */
export function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes every kind of bad file the library must survive; returns their names. */
export async function writeBadFiles(folder: string): Promise<Record<string, string>> {
  fs.mkdirSync(folder, { recursive: true });
  const files = {
    empty: path.join(folder, 'empty.jpg'),
    text: path.join(folder, 'notes.jpg'),
    truncated: path.join(folder, 'truncated.jpg'),
    bomb: path.join(folder, 'bomb.png'),
    unreadable: path.join(folder, 'secret.jpg'),
    loop: path.join(folder, 'loop'),
  };
  fs.writeFileSync(files.empty, '');
  fs.writeFileSync(files.text, 'this is not a photo\n');
  const whole = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 30, b: 90 } } }).jpeg().toBuffer();
  fs.writeFileSync(files.truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  fs.writeFileSync(files.bomb, pngDeclaring(30000, 30000));
  await writeJpeg(files.unreadable, { r: 1, g: 2, b: 3 });
  fs.chmodSync(files.unreadable, 0o000);
  fs.symlinkSync(folder, files.loop);
  return files;
}
