/**
 * Reads an ONNX file (a ModelProto) into what Graft needs to import it: the graph's nodes, its
 * inputs and outputs with their shapes, its initializers' names and dimensions, the operator
 * sets and the metadata. Field numbers are those of onnx.proto. Weights are never decoded: every
 * node, initializer and input keeps its encoded bytes, so onnxEdit.ts can write the model again
 * with only what it changes re-encoded.
 */
import path from 'node:path';
import { GraftError } from '../../shared/api/errors';
import { lastField, ProtoError, readFields, repeatedInts, signed, text, type ProtoField } from './protobufReader';

/** onnx.proto's field numbers, for the messages Graft reads. */
export const FIELD = {
  model: { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8, metadataProps: 14 },
  opset: { domain: 1, version: 2 },
  entry: { key: 1, value: 2 },
  graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 },
  attribute: { name: 1, f: 2, i: 3, s: 4, g: 6, floats: 7, ints: 8, graphs: 11, type: 20 },
  tensor: { dims: 1, dataType: 2, name: 8, dataLocation: 14 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dimension: { value: 1, param: 2 },
} as const;

/** TensorProto.DataType names, for messages. */
const DATA_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16' };
export const FLOAT = 1;
export const INT64 = 7;

export function dataTypeName(type: number | null): string {
  return type === null ? 'an unknown type' : (DATA_TYPES[type] ?? `type ${type}`);
}

/** A dimension: its size, the name of a dynamic one, or null when not given. */
export type Dimension = number | string | null;

export interface OnnxValue {
  name: string;
  /** The tensor element type (TensorProto.DataType), null when not a tensor or not given. */
  elemType: number | null;
  /** null when the shape is not given at all. */
  shape: Dimension[] | null;
  encoded: Uint8Array;
}

export interface OnnxAttribute {
  int?: number;
  ints?: number[];
  float?: number;
  string?: string;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
  /** Values the node's subgraphs (If, Loop, Scan bodies) read, at any depth: they may come from this graph. */
  subgraphReads: string[];
  /** The node's fields other than its inputs and outputs, as encoded. */
  otherFields: Uint8Array[];
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  /** Its data is in a file beside the model (ONNX's external data). */
  external: boolean;
  encoded: Uint8Array;
}

export interface OnnxModel {
  /** The file's name, for messages. */
  file: string;
  irVersion: number;
  producer: string;
  /** Operator set versions by domain ('' is ONNX's own). */
  opsets: Map<string, number>;
  metadata: Map<string, string>;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** ModelProto's fields other than the graph and metadata, as encoded. */
  modelFields: ProtoField[];
  /** GraphProto's fields other than nodes, initializers, inputs, outputs and value_info, as encoded. */
  graphFields: ProtoField[];
}

const fieldsOf = (all: ProtoField[], number: number) => all.filter((f) => f.number === number);
const textOf = (all: ProtoField[], number: number) => {
  const field = lastField(all, number);
  return field ? text(field) : '';
};
const message = (field: ProtoField) => {
  if (field.wireType !== 2) throw new ProtoError(`field ${field.number} should be a message but is written as wire type ${field.wireType}`);
  return readFields(field.bytes);
};

function readValue(field: ProtoField): OnnxValue {
  const fields = message(field);
  const typeField = lastField(fields, FIELD.valueInfo.type);
  const tensorField = typeField ? lastField(message(typeField), FIELD.type.tensorType) : undefined;
  const tensor = tensorField ? message(tensorField) : null;
  const elem = tensor ? lastField(tensor, FIELD.tensorType.elemType) : undefined;
  const shapeField = tensor ? lastField(tensor, FIELD.tensorType.shape) : undefined;
  const shape = shapeField
    ? fieldsOf(message(shapeField), FIELD.shape.dim).map((d): Dimension => {
        const dim = message(d);
        const value = lastField(dim, FIELD.dimension.value);
        if (value) return signed(value);
        const param = lastField(dim, FIELD.dimension.param);
        return param ? text(param) : null;
      })
    : null;
  return { name: textOf(fields, FIELD.valueInfo.name), elemType: elem ? signed(elem) : null, shape, encoded: field.encoded };
}

/** Every value a graph's nodes read, nested subgraphs included. */
function graphReads(graph: ProtoField[]): string[] {
  return fieldsOf(graph, FIELD.graph.node).flatMap((n) => {
    const node = readNode(n);
    return [...node.inputs, ...node.subgraphReads];
  });
}

function readNode(field: ProtoField): OnnxNode {
  const fields = message(field);
  const attributes = new Map<string, OnnxAttribute>();
  const subgraphReads: string[] = [];
  for (const a of fieldsOf(fields, FIELD.node.attribute)) {
    const attribute = message(a);
    const value: OnnxAttribute = {};
    const i = lastField(attribute, FIELD.attribute.i);
    if (i) value.int = signed(i);
    const ints = repeatedInts(attribute, FIELD.attribute.ints);
    if (ints.length) value.ints = ints;
    const f = lastField(attribute, FIELD.attribute.f);
    if (f?.wireType === 5) value.float = new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
    const s = lastField(attribute, FIELD.attribute.s);
    if (s) value.string = text(s);
    for (const g of [...fieldsOf(attribute, FIELD.attribute.g), ...fieldsOf(attribute, FIELD.attribute.graphs)]) subgraphReads.push(...graphReads(message(g)));
    attributes.set(textOf(attribute, FIELD.attribute.name), value);
  }
  return {
    name: textOf(fields, FIELD.node.name),
    opType: textOf(fields, FIELD.node.opType),
    domain: textOf(fields, FIELD.node.domain),
    inputs: fieldsOf(fields, FIELD.node.input).map(text),
    outputs: fieldsOf(fields, FIELD.node.output).map(text),
    attributes,
    subgraphReads,
    otherFields: fields.filter((f) => f.number !== FIELD.node.input && f.number !== FIELD.node.output).map((f) => f.encoded),
  };
}

function readInitializer(field: ProtoField): OnnxInitializer {
  const fields = message(field);
  const type = lastField(fields, FIELD.tensor.dataType);
  const location = lastField(fields, FIELD.tensor.dataLocation);
  return {
    name: textOf(fields, FIELD.tensor.name),
    dims: repeatedInts(fields, FIELD.tensor.dims),
    dataType: type ? signed(type) : 0,
    external: location ? signed(location) === 1 : false,
    encoded: field.encoded,
  };
}

function readModel(bytes: Uint8Array, file: string): OnnxModel {
  const fields = readFields(bytes);
  const graphField = lastField(fields, FIELD.model.graph);
  const ir = lastField(fields, FIELD.model.irVersion);
  if (!graphField || !ir) throw new GraftError('invalid_request', `${file} is not an ONNX model: it has no ${graphField ? 'IR version' : 'graph'}.`);
  const opsets = new Map<string, number>();
  for (const o of fieldsOf(fields, FIELD.model.opsetImport)) {
    const opset = message(o);
    const version = lastField(opset, FIELD.opset.version);
    const domain = textOf(opset, FIELD.opset.domain);
    opsets.set(domain === 'ai.onnx' ? '' : domain, version ? signed(version) : 0);
  }
  const metadata = new Map<string, string>();
  for (const m of fieldsOf(fields, FIELD.model.metadataProps)) {
    const entry = message(m);
    metadata.set(textOf(entry, FIELD.entry.key), textOf(entry, FIELD.entry.value));
  }
  const graph = message(graphField);
  const g = FIELD.graph;
  const own = new Set<number>([g.node, g.initializer, g.input, g.output, g.valueInfo]);
  return {
    file,
    irVersion: signed(ir),
    producer: textOf(fields, FIELD.model.producerName),
    opsets,
    metadata,
    nodes: fieldsOf(graph, g.node).map(readNode),
    initializers: fieldsOf(graph, g.initializer).map(readInitializer),
    inputs: fieldsOf(graph, g.input).map(readValue),
    outputs: fieldsOf(graph, g.output).map(readValue),
    modelFields: fields.filter((f) => f.number !== FIELD.model.graph && f.number !== FIELD.model.metadataProps),
    graphFields: graph.filter((f) => !own.has(f.number)),
  };
}

/** The ONNX model in `bytes`; a sentence naming the file when it is damaged or not ONNX. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxModel {
  const name = path.basename(file);
  try {
    return readModel(bytes, name);
  } catch (error) {
    if (error instanceof ProtoError) throw new GraftError('invalid_request', `${name} is not a readable ONNX model: it is cut short or damaged (${error.message}).`);
    throw error;
  }
}
