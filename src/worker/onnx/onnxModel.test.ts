import { describe, expect, it } from 'vitest';
import { OnnxGraph } from './onnxGraph';
import { readOnnx } from './onnxModel';
import { ProtoWriter } from './protobuf';
import { ProtoError, readFields, repeatedInts, signed } from './protobufReader';

/** A small model written by Graft's own writer: what the reader must give back. */
function smallModel(): Uint8Array {
  const graph = new OnnxGraph();
  const x = graph.input('image', ['batch', 3, 8, 8]);
  const conv = graph.node('Conv', [x, graph.floats('kernel', [4, 3, 1, 1], new Float32Array(12).fill(0.5))], { kernel_shape: [1, 1], group: 1, pads: [0, 0, 0, 0] }, 'conv_out');
  const flat = graph.node('Flatten', [graph.node('GlobalAveragePool', [conv])], { axis: -1 });
  const reshaped = graph.node('Reshape', [flat, graph.int64s('shape', [0, -1])]);
  graph.node('Gemm', [reshaped, graph.floats('fc_W', [2, 4], new Float32Array(8)), graph.floats('fc_B', [2], new Float32Array(2))], { transB: 1, alpha: { float: 0.25 }, note: 'text' }, 'logits');
  graph.output('logits', ['batch', 2]);
  return graph.encode({ graphName: 'small', producer: 'a test', version: '1', doc: '', properties: { 'Image.NominalPixelRange': 'Normalized_0_1', author: 'me' } });
}

describe('the protobuf reader', () => {
  it('reads back varints of every size, negative int64s, text and nested messages as written', () => {
    const inner = new ProtoWriter().string(1, 'café').int(2, -5);
    const bytes = new ProtoWriter().int(1, 0).int(2, 2 ** 40).int(3, -1).message(4, inner).packedInts(5, [1, -2, 300]).int(5, 7).finish();
    const fields = readFields(bytes);
    expect(fields.map((f) => [f.number, f.wireType])).toEqual([[1, 0], [2, 0], [3, 0], [4, 2], [5, 2], [5, 0]]);
    expect(fields.slice(0, 3).map(signed)).toEqual([0, 2 ** 40, -1]);
    const nested = readFields(fields[3].bytes);
    expect(new TextDecoder().decode(nested[0].bytes)).toBe('café');
    expect(signed(nested[1])).toBe(-5);
    // Packed and unpacked elements of one repeated field, in order.
    expect(repeatedInts(fields, 5)).toEqual([1, -2, 300, 7]);
    // Each field keeps its exact encoding: concatenated, they are the message.
    expect(Buffer.concat(fields.map((f) => f.encoded))).toEqual(Buffer.from(bytes));
  });

  it('refuses bytes cut short, a length past the end, and wire types ONNX never writes', () => {
    const bytes = new ProtoWriter().string(1, 'hello').int(2, 300).finish();
    expect(() => readFields(bytes.subarray(0, 4))).toThrow(ProtoError);
    expect(() => readFields(bytes.subarray(0, bytes.length - 1))).toThrow(/ends inside a number/);
    expect(() => readFields(Uint8Array.of(0x0a, 0x7f, 1, 2))).toThrow(/runs 125 bytes past the end/);
    expect(() => readFields(Uint8Array.of(0x0b))).toThrow(/wire type 3/);
  });
});

describe('reading an ONNX model', () => {
  it('gives its nodes with their attributes, inputs with shapes, outputs, initializers, opset and metadata', () => {
    const model = readOnnx(smallModel(), '/somewhere/small.onnx');
    expect(model).toMatchObject({ file: 'small.onnx', irVersion: 8, producer: 'a test' });
    expect([...model.opsets]).toEqual([['', 13]]);
    expect(Object.fromEntries(model.metadata)).toEqual({ 'Image.NominalPixelRange': 'Normalized_0_1', author: 'me' });
    expect(model.inputs.map((v) => [v.name, v.elemType, v.shape])).toEqual([['image', 1, ['batch', 3, 8, 8]]]);
    expect(model.outputs.map((v) => [v.name, v.shape])).toEqual([['logits', ['batch', 2]]]);
    expect(model.initializers.map((t) => [t.name, t.dims, t.dataType, t.external])).toEqual([
      ['kernel', [4, 3, 1, 1], 1, false],
      ['shape', [2], 7, false],
      ['fc_W', [2, 4], 1, false],
      ['fc_B', [2], 1, false],
    ]);
    expect(model.nodes.map((n) => n.opType)).toEqual(['Conv', 'GlobalAveragePool', 'Flatten', 'Reshape', 'Gemm']);
    const [conv, , flatten, , gemm] = model.nodes;
    expect(conv).toMatchObject({ name: 'conv_out', inputs: ['image', 'kernel'], outputs: ['conv_out'], domain: '' });
    expect(conv.attributes.get('kernel_shape')).toEqual({ ints: [1, 1] });
    expect(flatten.attributes.get('axis')).toEqual({ int: -1 });
    expect(gemm.attributes.get('transB')).toEqual({ int: 1 });
    expect(gemm.attributes.get('alpha')).toEqual({ float: 0.25 });
    expect(gemm.attributes.get('note')).toEqual({ string: 'text' });
  });

  it('says which file is damaged or not ONNX', () => {
    const bytes = smallModel();
    expect(() => readOnnx(bytes.subarray(0, bytes.length - 7), '/a/cut.onnx')).toThrow(/^cut\.onnx is not a readable ONNX model: it is cut short or damaged/);
    expect(() => readOnnx(new TextEncoder().encode('{"format": "layers-model"}'), 'model.onnx')).toThrow(/^model\.onnx is not/);
    expect(() => readOnnx(new ProtoWriter().int(1, 8).finish(), 'empty.onnx')).toThrow('empty.onnx is not an ONNX model: it has no graph.');
  });
});
