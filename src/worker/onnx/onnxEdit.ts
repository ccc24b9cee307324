/**
 * Changes a read ONNX model and writes it again: renames values, keeps only the nodes some
 * outputs need, replaces an input by nodes of Graft's, adds nodes, initializers, outputs and
 * metadata. What it does not change — the kept nodes' attributes, the weights, the model's other
 * fields — is copied byte for byte from the file. The graph's value_info (optional shape hints)
 * is left out: the new input's batch size may differ from the sizes it recorded.
 */
import { GraftError } from '../../shared/api/errors';
import { FIELD, FLOAT, INT64, type OnnxModel } from './onnxModel';
import { floatTensor, int64Tensor, nodeProto, OPSET, valueInfo, type Attribute } from './onnxGraph';
import { ProtoWriter } from './protobuf';
import { readFields } from './protobufReader';

interface EditedNode {
  inputs: string[];
  outputs: string[];
  subgraphReads: string[];
  encode(inputs: string[], outputs: string[]): ProtoWriter;
}

interface EditedValue {
  name: string;
  /** Encodes it under a (possibly new) name. */
  encode(name: string): ProtoWriter | Uint8Array;
}

/** A message's fields re-encoded with field `number` (a name) replaced. */
function withName(encodedField: Uint8Array, number: number, name: string): ProtoWriter {
  const [field] = readFields(encodedField);
  const writer = new ProtoWriter();
  for (const f of readFields(field.bytes)) if (f.number !== number) writer.encoded(f.encoded);
  return writer.string(number, name);
}

export class OnnxEditor {
  private nodes: EditedNode[];
  private initializers: EditedValue[];
  private inputs: EditedValue[];
  private outputs: ProtoWriter[] = [];
  private readonly added: { name: string; dims: number[]; type: number }[] = [];
  private readonly metadata: Map<string, string>;
  private readonly names = new Set<string>();

  constructor(private readonly model: OnnxModel) {
    this.nodes = model.nodes.map((node) => ({
      inputs: node.inputs,
      outputs: node.outputs,
      subgraphReads: node.subgraphReads,
      encode: (inputs, outputs) => {
        const writer = new ProtoWriter();
        for (const i of inputs) writer.string(FIELD.node.input, i);
        for (const o of outputs) writer.string(FIELD.node.output, o);
        for (const f of node.otherFields) writer.encoded(f);
        return writer;
      },
    }));
    this.initializers = model.initializers.map((t) => ({ name: t.name, encode: (name) => (name === t.name ? t.encoded : withName(t.encoded, FIELD.tensor.name, name)) }));
    this.inputs = model.inputs.map((v) => ({ name: v.name, encode: (name) => (name === v.name ? v.encoded : withName(v.encoded, FIELD.valueInfo.name, name)) }));
    this.metadata = new Map(model.metadata);
    for (const node of model.nodes) for (const name of [node.name, ...node.inputs, ...node.outputs]) this.names.add(name);
    for (const value of [...model.initializers, ...model.inputs, ...model.outputs]) this.names.add(value.name);
  }

  /** Whether a node, value or initializer has this name. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** A value name no node, value or initializer of the model has yet. */
  unique(hint: string): string {
    let name = hint;
    for (let i = 1; this.names.has(name); i++) name = `${hint}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Gives a value of the model another name, so that Graft can use its name (its input's or output's). */
  rename(from: string, to: string): void {
    if (this.nodes.some((n) => n.subgraphReads.includes(from))) throw new GraftError('invalid_request', `${this.model.file} reads the value “${from}” inside a subgraph, and Graft needs that name for its own ${from}; rename it in the model.`);
    const swap = (names: string[]) => names.map((n) => (n === from ? to : n));
    this.nodes = this.nodes.map((node) => ({ ...node, inputs: swap(node.inputs), outputs: swap(node.outputs) }));
    this.initializers = this.initializers.map((v) => (v.name === from ? { name: to, encode: () => v.encode(to) } : v));
    this.inputs = this.inputs.map((v) => (v.name === from ? { name: to, encode: () => v.encode(to) } : v));
    this.names.add(to);
  }

  /**
   * Keeps only the nodes the values `wanted` depend on (the graph's nodes are in topological
   * order, as ONNX requires), and the initializers and inputs those read. Returns every value read.
   */
  keepOnly(wanted: string[]): Set<string> {
    const needed = new Set(wanted);
    const kept: EditedNode[] = [];
    for (const node of [...this.nodes].reverse()) {
      if (!node.outputs.some((o) => needed.has(o))) continue;
      kept.push(node);
      for (const name of [...node.inputs, ...node.subgraphReads]) if (name) needed.add(name);
    }
    this.nodes = kept.reverse();
    this.initializers = this.initializers.filter((v) => needed.has(v.name));
    this.inputs = this.inputs.filter((v) => needed.has(v.name));
    return needed;
  }

  /** Removes the graph input `name` (Graft's nodes will compute it) and adds a float32 input. */
  replaceInput(name: string, input: { name: string; shape: (number | string)[] }): void {
    this.inputs = this.inputs.filter((v) => v.name !== name);
    this.names.add(input.name);
    const encoded = valueInfo(input.name, input.shape);
    this.inputs.unshift({ name: input.name, encode: () => encoded });
  }

  /** Adds a node after the others; returns its output, `output` or a fresh name from `hint`. */
  node(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    const out = output ?? this.unique(`graft_${opType.toLowerCase()}`);
    this.names.add(out);
    // The model may have a node named like the value (kept under its name): the node's name is a fresh one.
    const encoded = nodeProto(opType, inputs, out, attributes, this.unique(`graft_node_${out}`));
    this.nodes.push({ inputs, outputs: [out], subgraphReads: [], encode: () => encoded });
    return out;
  }

  floats(hint: string, dims: number[], values: Float32Array): string {
    const name = this.unique(hint);
    const encoded = floatTensor(name, dims, values);
    this.initializers.push({ name, encode: () => encoded });
    this.added.push({ name, dims, type: FLOAT });
    return name;
  }

  int64s(hint: string, values: number[]): string {
    const name = this.unique(hint);
    const encoded = int64Tensor(name, values);
    this.initializers.push({ name, encode: () => encoded });
    this.added.push({ name, dims: [values.length], type: INT64 });
    return name;
  }

  /** The graph's outputs: float32 values, with their shapes where known. */
  setOutputs(outputs: { name: string; shape: (number | string)[] | null }[]): void {
    this.outputs = outputs.map((o) => valueInfo(o.name, o.shape));
  }

  setMetadata(key: string, value: string): void {
    for (const existing of [...this.metadata.keys()]) if (existing.toLowerCase() === key.toLowerCase()) this.metadata.delete(existing);
    this.metadata.set(key, value);
  }

  encode(): Uint8Array {
    const g = FIELD.graph;
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.message(g.node, node.encode(node.inputs, node.outputs));
    for (const field of this.model.graphFields) graph.encoded(field.encoded);
    for (const v of this.initializers) write(graph, g.initializer, v.encode(v.name));
    for (const v of this.inputs) write(graph, g.input, v.encode(v.name));
    // Before IR version 4 every initializer had to be a graph input too.
    if (this.model.irVersion < 4) for (const a of this.added) graph.message(g.input, valueInfo(a.name, a.dims, a.type));
    for (const o of this.outputs) graph.message(g.output, o);

    const model = new ProtoWriter();
    for (const field of this.model.modelFields) model.encoded(field.encoded);
    if (!this.model.opsets.has('')) model.message(FIELD.model.opsetImport, new ProtoWriter().string(FIELD.opset.domain, '').int(FIELD.opset.version, OPSET));
    model.message(FIELD.model.graph, graph);
    for (const [key, value] of this.metadata) model.message(FIELD.model.metadataProps, new ProtoWriter().string(FIELD.entry.key, key).string(FIELD.entry.value, value));
    return model.finish();
  }
}

/** Writes a message already encoded as a whole field, or a message to wrap in field `number`. */
function write(writer: ProtoWriter, number: number, value: ProtoWriter | Uint8Array): void {
  if (value instanceof Uint8Array) writer.encoded(value);
  else writer.message(number, value);
}
