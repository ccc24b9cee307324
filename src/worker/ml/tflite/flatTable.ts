/**
 * Reading tables of a FlatBuffer (the format of .tflite files and of their metadata) with every
 * offset checked against the file's bounds. flatbuffers.ByteBuffer reads past the end without
 * complaint (as zeros or garbage), and a truncated or foreign file must give a sentence, not a
 * hang or an out-of-memory. Fields are named by their id: the order they are declared in the
 * schema (the vtable slot of field i is at 4 + 2i).
 */
import { ByteBuffer } from 'flatbuffers';

/** The bytes are not the FlatBuffer they claim to be; the message says where it went wrong. */
export class FlatBufferError extends Error {}

export class FlatTable {
  private readonly vtable: number;
  private readonly vtableSize: number;

  private constructor(
    private readonly bb: ByteBuffer,
    private readonly position: number,
    private readonly what: string,
  ) {
    need(bb, position, 4, what);
    this.vtable = position - bb.readInt32(position);
    need(bb, this.vtable, 4, what);
    this.vtableSize = bb.readUint16(this.vtable);
    need(bb, this.vtable, this.vtableSize, what);
  }

  /** The root table of a FlatBuffer whose 4-byte file identifier (at bytes 4–7) must be `identifier`. */
  static root(bytes: Uint8Array, identifier: string, what: string): FlatTable {
    const bb = new ByteBuffer(bytes);
    if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== identifier) {
      throw new FlatBufferError(`it does not start like a ${what} (no “${identifier}” file identifier)`);
    }
    return new FlatTable(bb, bb.readUint32(0), what);
  }

  /** Where field `id` is stored, or 0 when it is absent (and takes its default). */
  private field(id: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return 0;
    const offset = this.bb.readUint16(this.vtable + slot);
    if (offset === 0) return 0;
    need(this.bb, this.position + offset, 1, this.what);
    return this.position + offset;
  }

  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  int8(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.bb.readInt8(at) : fallback;
  }

  uint8(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.bb.readUint8(at) : fallback;
  }

  bool(id: number, fallback = false): boolean {
    const at = this.field(id);
    return at ? this.bb.readUint8(at) !== 0 : fallback;
  }

  int32(id: number, fallback = 0): number {
    const at = this.field(id);
    if (!at) return fallback;
    need(this.bb, at, 4, this.what);
    return this.bb.readInt32(at);
  }

  uint32(id: number, fallback = 0): number {
    return this.int32(id, fallback) >>> 0;
  }

  /** A 64-bit unsigned integer as a number (exact below 2^53, which any file offset is). */
  uint64(id: number, fallback = 0): number {
    const at = this.field(id);
    if (!at) return fallback;
    need(this.bb, at, 8, this.what);
    return Number(this.bb.readUint64(at));
  }

  float32(id: number, fallback = 0): number {
    const at = this.field(id);
    if (!at) return fallback;
    need(this.bb, at, 4, this.what);
    return this.bb.readFloat32(at);
  }

  /** The field's referenced object (table, vector or string) position, or 0 when absent. */
  private target(id: number): number {
    const at = this.field(id);
    if (!at) return 0;
    need(this.bb, at, 4, this.what);
    return at + this.bb.readUint32(at);
  }

  table(id: number): FlatTable | null {
    const at = this.target(id);
    return at ? new FlatTable(this.bb, at, this.what) : null;
  }

  string(id: number): string | null {
    const bytes = this.vector(id, 1);
    return bytes ? new TextDecoder().decode(bytes) : null;
  }

  /** A vector's bytes (its elements `elementSize` bytes each), or null when the field is absent. */
  vector(id: number, elementSize: number): Uint8Array | null {
    const at = this.target(id);
    if (!at) return null;
    need(this.bb, at, 4, this.what);
    const length = this.bb.readUint32(at);
    need(this.bb, at + 4, length * elementSize, this.what);
    return this.bb.bytes().subarray(at + 4, at + 4 + length * elementSize);
  }

  tables(id: number): FlatTable[] {
    const offsets = this.vector(id, 4);
    if (!offsets) return [];
    const start = offsets.byteOffset - this.bb.bytes().byteOffset;
    return Array.from({ length: offsets.length / 4 }, (_, i) => {
      const at = start + 4 * i;
      return new FlatTable(this.bb, at + this.bb.readUint32(at), this.what);
    });
  }

  int32s(id: number): number[] {
    const bytes = this.vector(id, 4);
    if (!bytes) return [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, true));
  }

  int64s(id: number): number[] {
    const bytes = this.vector(id, 8);
    if (!bytes) return [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
  }

  float32s(id: number): number[] {
    const bytes = this.vector(id, 4);
    if (!bytes) return [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  }
}

function need(bb: ByteBuffer, offset: number, size: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > bb.capacity()) {
    throw new FlatBufferError(`it is cut short or damaged: the ${what} points outside the file (byte ${offset} of ${bb.capacity()})`);
  }
}
