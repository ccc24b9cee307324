/**
 * Reads a TensorFlow Lite model (a FlatBuffer, file identifier "TFL3") into plain objects: the
 * main subgraph's tensors (shape, type, constant data, quantization), its operators in execution
 * order, and the model's named metadata buffers. Any damage is reported as a sentence naming the
 * file, never as a crash.
 */
import path from 'node:path';
import { GraftError } from '../../../shared/api/errors';
import { FlatBufferError, FlatTable } from './flatTable';
import { FIELDS, operatorName, TENSOR_TYPES, type TensorType } from './schema';

/** f = scale · (q − zeroPoint), per tensor (one scale) or per channel along `dimension`. */
export interface Quantization {
  scales: number[];
  zeroPoints: number[];
  dimension: number;
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: TensorType;
  /** The constant's bytes (little-endian, row-major), or null for a value computed at run time. */
  data: Uint8Array | null;
  quantization: Quantization | null;
}

export interface TfliteOperator {
  index: number;
  /** The BuiltinOperator name (CONV_2D …), or CUSTOM. */
  opcode: string;
  customCode: string | null;
  /** Tensor indices; -1 marks an optional input left out. */
  inputs: number[];
  outputs: number[];
  /** The BuiltinOptions union's type and table (read by operatorOptions.ts). */
  optionsType: number;
  options: FlatTable | null;
}

export interface TfliteModel {
  /** The file's name, for messages. */
  file: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** Named metadata buffers (TFLITE_METADATA, min_runtime_version …). */
  metadata: Map<string, Uint8Array>;
}

/** A refusal naming the file: it is damaged, or uses something Graft cannot import. */
export function tfliteError(file: string, reason: string): GraftError {
  return new GraftError('invalid_request', `${file} ${reason}`);
}

function readQuantization(table: FlatTable | null): Quantization | null {
  if (!table) return null;
  const f = FIELDS.QuantizationParameters;
  const scales = table.float32s(f.scale);
  if (scales.length === 0) return null; // min/max only, or nothing: not a quantized tensor
  const zeroPoints = table.int64s(f.zeroPoint);
  return { scales, zeroPoints: zeroPoints.length ? zeroPoints : scales.map(() => 0), dimension: table.int32(f.quantizedDimension) };
}

/** A buffer's bytes: inside the FlatBuffer, or (models over 2 GB) at an offset of the file. */
function bufferData(buffer: FlatTable, bytes: Uint8Array): Uint8Array | null {
  const f = FIELDS.Buffer;
  const offset = buffer.uint64(f.offset);
  if (offset > 1) {
    const size = buffer.uint64(f.size);
    if (offset + size > bytes.length) throw new FlatBufferError(`a weight buffer lies outside the file (bytes ${offset}–${offset + size} of ${bytes.length})`);
    return bytes.subarray(offset, offset + size);
  }
  const data = buffer.vector(f.data, 1);
  return data && data.length > 0 ? data : null;
}

export function readTflite(bytes: Uint8Array, file: string): TfliteModel {
  const name = path.basename(file);
  try {
    return readModel(bytes, name);
  } catch (error) {
    if (error instanceof FlatBufferError) throw tfliteError(name, `is not a readable TensorFlow Lite model: ${error.message}.`);
    throw error;
  }
}

function readModel(bytes: Uint8Array, file: string): TfliteModel {
  const model = FlatTable.root(bytes, 'TFL3', 'TensorFlow Lite model');
  const m = FIELDS.Model;
  const buffers = model.tables(m.buffers);
  const data = (index: number): Uint8Array | null => {
    if (index === 0) return null; // buffer 0 is the empty sentinel
    const buffer = buffers[index];
    if (!buffer) throw new FlatBufferError(`a tensor refers to buffer ${index} of ${buffers.length}`);
    return bufferData(buffer, bytes);
  };

  const codes = model.tables(m.operatorCodes).map((code) => {
    const f = FIELDS.OperatorCode;
    // Old files have only the one-byte deprecated field; newer ones write both (the byte capped at 127).
    const builtin = Math.max(code.int8(f.deprecatedBuiltinCode), code.int32(f.builtinCode));
    return { opcode: operatorName(builtin), customCode: code.string(f.customCode) };
  });

  const subgraphs = model.tables(m.subgraphs);
  if (subgraphs.length === 0) throw tfliteError(file, 'has no graph (no subgraph).');
  if (subgraphs.length > 1) throw tfliteError(file, `has ${subgraphs.length} subgraphs (control flow), which Graft cannot import yet.`);
  const graph = subgraphs[0];
  const g = FIELDS.SubGraph;
  const t = FIELDS.Tensor;
  const tensors = graph.tables(g.tensors).map((tensor, index): TfliteTensor => {
    const type = TENSOR_TYPES[tensor.int8(t.type)];
    if (!type) throw new FlatBufferError(`tensor ${index} has an unknown type ${tensor.int8(t.type)}`);
    if (tensor.has(t.sparsity)) throw tfliteError(file, `stores the tensor ${tensor.string(t.name) ?? index} sparsely, which Graft cannot import yet.`);
    return { name: tensor.string(t.name) ?? `tensor_${index}`, shape: tensor.int32s(t.shape), type, data: data(tensor.uint32(t.buffer)), quantization: readQuantization(tensor.table(t.quantization)) };
  });
  // -1 marks an operator's optional input left out; nothing else may be missing.
  const checkTensor = (optional: boolean) => (i: number) => {
    if (i >= tensors.length || i < (optional ? -1 : 0)) throw new FlatBufferError(`the graph refers to tensor ${i} of ${tensors.length}`);
    return i;
  };
  const o = FIELDS.Operator;
  const operators = graph.tables(g.operators).map((operator, index): TfliteOperator => {
    const code = codes[operator.uint32(o.opcodeIndex)];
    if (!code) throw new FlatBufferError(`operator ${index} has an unknown operator code`);
    return {
      index,
      ...code,
      inputs: operator.int32s(o.inputs).map(checkTensor(true)),
      outputs: operator.int32s(o.outputs).map(checkTensor(false)),
      optionsType: operator.uint8(o.builtinOptionsType),
      options: operator.table(o.builtinOptions),
    };
  });

  const metadata = new Map<string, Uint8Array>();
  for (const entry of model.tables(m.metadata)) {
    const bytesOf = data(entry.uint32(FIELDS.Metadata.buffer));
    if (bytesOf) metadata.set(entry.string(FIELDS.Metadata.name) ?? '', bytesOf);
  }
  return {
    file,
    tensors,
    operators,
    inputs: graph.int32s(g.inputs).map(checkTensor(false)),
    outputs: graph.int32s(g.outputs).map(checkTensor(false)),
    metadata,
  };
}
