/**
 * Builds an ONNX model (IR version 8, default opset 13) node by node and encodes it. Field
 * numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto,
 * AttributeProto, ValueInfoProto).
 */
import { ProtoWriter } from './protobuf';

const IR_VERSION = 8;
export const OPSET = 13;

const FLOAT = 1;
const INT64 = 7;

/** An integer, integers, a string, or a float (written `{ float: x }`, as integers are the common case). */
export type Attribute = number | number[] | string | { float: number };

function attribute(name: string, value: Attribute): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof value === 'string') return a.bytes(4, new TextEncoder().encode(value)).int(20, 3);
  if (typeof value === 'number') return a.int(3, value).int(20, 2);
  if (Array.isArray(value)) return a.packedInts(8, value).int(20, 7);
  return a.float(2, value.float).int(20, 1);
}

/** A tensor value's name and element type (float32 unless said), and its shape when given. */
export function valueInfo(name: string, shape: (number | string)[] | null, elemType = FLOAT): ProtoWriter {
  if (!shape) return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, new ProtoWriter().int(1, elemType)));
  const dims = new ProtoWriter();
  for (const d of shape) dims.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** A float32 TensorProto (an initializer), its values as raw little-endian data. */
export function floatTensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const data = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return new ProtoWriter().packedInts(1, dims).int(2, FLOAT).string(8, name).bytes(9, data);
}

/** A one-dimensional int64 TensorProto. */
export function int64Tensor(name: string, values: number[]): ProtoWriter {
  const data = new Uint8Array(values.length * 8);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return new ProtoWriter().packedInts(1, [values.length]).int(2, INT64).string(8, name).bytes(9, data);
}

/** A NodeProto with one output; the node is named after it unless named otherwise (onnxruntime requires node names to be unique). */
export function nodeProto(opType: string, inputs: string[], output: string, attributes: Record<string, Attribute> = {}, name = output): ProtoWriter {
  const node = new ProtoWriter();
  for (const i of inputs) node.string(1, i);
  node.string(2, output).string(3, name).string(4, opType);
  for (const [name, value] of Object.entries(attributes)) node.message(5, attribute(name, value));
  return node;
}

export class OnnxGraph {
  private readonly nodes: ProtoWriter[] = [];
  private readonly initializers: ProtoWriter[] = [];
  private readonly names = new Set<string>();
  /** The graph's output names: unique() never gives them, so no layer's value takes them first. */
  private readonly reserved: Set<string>;
  private inputs: ProtoWriter[] = [];
  private outputs: ProtoWriter[] = [];

  constructor(reserved: string[] = []) {
    this.reserved = new Set(reserved);
  }

  /** A fresh value name based on hint, so that no two nodes write the same value. */
  unique(hint: string): string {
    let name = hint;
    for (let i = 1; this.names.has(name) || this.reserved.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  input(name: string, shape: (number | string)[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: (number | string)[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 constant (weights), stored as raw little-endian data. */
  floats(hint: string, dims: number[], values: Float32Array): string {
    const name = this.unique(hint);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64s(hint: string, values: number[]): string {
    const name = this.unique(hint);
    this.initializers.push(int64Tensor(name, values));
    return name;
  }

  /** Adds a node and returns the name of its (single) output; `output` names it exactly. */
  node(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    const out = output ?? this.unique(opType.toLowerCase());
    if (output) this.names.add(output);
    this.nodes.push(nodeProto(opType, inputs, out, attributes));
    return out;
  }

  encode(meta: { graphName: string; producer: string; version: string; doc: string; properties: Record<string, string> }): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, meta.graphName);
    for (const t of this.initializers) graph.message(5, t);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    const model = new ProtoWriter().int(1, IR_VERSION).string(2, meta.producer).string(3, meta.version).string(6, meta.doc).message(7, graph);
    model.message(8, new ProtoWriter().string(1, '').int(2, OPSET));
    for (const [key, value] of Object.entries(meta.properties)) model.message(14, new ProtoWriter().string(1, key).string(2, value));
    return model.finish();
  }
}
