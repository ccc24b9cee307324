/**
 * Reads Protocol Buffers messages field by field, the counterpart of protobuf.ts: an ONNX file is
 * one ModelProto, and reading it takes varints and length-delimited fields, not a code generator.
 * Each field keeps its bytes as encoded, so a message can be written again with some fields
 * changed and the others copied exactly (a model's weights are never decoded).
 */

/** The file is not a well-formed protobuf message (cut short, or not protobuf at all). */
export class ProtoError extends Error {}

export interface ProtoField {
  /** The field number of the .proto schema. */
  number: number;
  /** 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
  wireType: 0 | 1 | 2 | 5;
  /** A varint field's value (as an unsigned 64-bit integer). */
  int: bigint;
  /** A length-delimited field's content, or a fixed field's bytes (views into the message). */
  bytes: Uint8Array;
  /** The whole field as encoded, key included: writing it back copies it exactly. */
  encoded: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

class Cursor {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** A varint as a bigint (int64 values may use all ten bytes). */
  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.bytes.length) throw new ProtoError(`it ends inside a number at byte ${this.offset}`);
      const byte = this.bytes[this.offset++];
      value |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return BigInt.asUintN(64, value);
    }
    throw new ProtoError(`a number at byte ${this.offset} is longer than ten bytes`);
  }

  /** A varint that is a length or a key: it must fit a safe integer. */
  size(): number {
    const value = this.varint();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtoError(`a length at byte ${this.offset} is impossibly large`);
    return Number(value);
  }

  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.offset) throw new ProtoError(`a field at byte ${this.offset} runs ${length - (this.bytes.length - this.offset)} bytes past the end`);
    const part = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }
}

/** The fields of one message, in the order they were written. */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const cursor = new Cursor(bytes);
  const fields: ProtoField[] = [];
  while (cursor.offset < bytes.length) {
    const start = cursor.offset;
    const key = cursor.size();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new ProtoError(`byte ${start} holds field number 0, which no message has`);
    let int = 0n;
    let content: Uint8Array = EMPTY;
    if (wireType === 0) int = cursor.varint();
    else if (wireType === 1) content = cursor.take(8);
    else if (wireType === 2) content = cursor.take(cursor.size());
    else if (wireType === 5) content = cursor.take(4);
    else throw new ProtoError(`byte ${start} holds a field of wire type ${wireType}, which ONNX never writes`);
    fields.push({ number, wireType, int, bytes: content, encoded: bytes.subarray(start, cursor.offset) });
  }
  return fields;
}

/** A varint field's value as a signed 64-bit integer, in a number (int64 fields such as dimensions). */
export function signed(field: ProtoField): number {
  if (field.wireType !== 0) throw new ProtoError(`field ${field.number} should be a number but is written as wire type ${field.wireType}`);
  return Number(BigInt.asIntN(64, field.int));
}

/** The integers of a repeated int64 field: packed (one length-delimited field) or one field each. */
export function repeatedInts(fields: ProtoField[], number: number): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.wireType === 0) values.push(signed(field));
    else if (field.wireType === 2) {
      const cursor = new Cursor(field.bytes);
      while (cursor.offset < field.bytes.length) values.push(Number(BigInt.asIntN(64, cursor.varint())));
    } else throw new ProtoError(`a list of integers (field ${number}) is written as wire type ${field.wireType}`);
  }
  return values;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export function text(field: ProtoField): string {
  if (field.wireType !== 2) throw new ProtoError(`field ${field.number} should be text but is written as wire type ${field.wireType}`);
  return decoder.decode(field.bytes);
}

/** The last occurrence of a field (protobuf's rule for a non-repeated field written twice). */
export function lastField(fields: ProtoField[], number: number): ProtoField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i].number === number) return fields[i];
  return undefined;
}
