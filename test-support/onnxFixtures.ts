/**
 * ONNX models for the tests of Graft's ONNX import, made from Graft's own converter's output
 * (kerasToOnnx.ts) the way other tools' models differ from it: an NCHW input (PyTorch's layout),
 * channels in B, G, R order, another batch size or dynamic sizes, metadata. ONNX's field numbers
 * are restated here from onnx.proto on purpose, rather than imported from Graft's reader: a wrong
 * number in the reader then fails the tests instead of agreeing with itself.
 */
import { nodeProto, OnnxGraph, valueInfo, type Attribute } from '../src/worker/onnx/onnxGraph';
import { ProtoWriter } from '../src/worker/onnx/protobuf';
import { readFields } from '../src/worker/onnx/protobufReader';

const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const VALUE_NAME = 1;

/** A node of the adapter put before the model: what it computes from which values. */
export interface AdapterNode {
  opType: string;
  inputs: string[];
  output: string;
  attributes?: Record<string, Attribute>;
}

/**
 * The model with a new input: `input` goes through `nodes`, the last of which computes the
 * model's own (first) input, whose name `nodes` may use as `MODEL_INPUT`. `initializers` are
 * encoded TensorProtos the nodes read; `metadata` is added to the model's.
 */
export function withNewInput(
  model: Uint8Array,
  input: { name: string; shape: (number | string)[] },
  nodes: AdapterNode[],
  initializers: ProtoWriter[] = [],
  metadata: Record<string, string> = {},
): Uint8Array {
  const fields = readFields(model);
  const graph = readFields(fields.find((f) => f.number === MODEL_GRAPH)!.bytes);
  const oldInput = graph.find((f) => f.number === GRAPH_INPUT)!;
  const oldName = new TextDecoder().decode(readFields(oldInput.bytes).find((f) => f.number === VALUE_NAME)!.bytes);
  const rename = (name: string) => (name === MODEL_INPUT ? oldName : name);

  const newGraph = new ProtoWriter();
  for (const node of nodes) newGraph.message(GRAPH_NODE, nodeProto(node.opType, node.inputs.map(rename), rename(node.output), node.attributes));
  for (const field of graph) if (field !== oldInput) newGraph.encoded(field.encoded);
  for (const tensor of initializers) newGraph.message(GRAPH_INITIALIZER, tensor);
  newGraph.message(GRAPH_INPUT, valueInfo(input.name, input.shape));

  const out = new ProtoWriter();
  for (const field of fields) out.encoded(field.number === MODEL_GRAPH ? new ProtoWriter().message(MODEL_GRAPH, newGraph).finish() : field.encoded);
  for (const [key, value] of Object.entries(metadata)) out.message(MODEL_METADATA, new ProtoWriter().string(1, key).string(2, value));
  return out.finish();
}

/** Stands for the model's own input in an adapter's nodes. */
export const MODEL_INPUT = '<model input>';

/**
 * A small NCHW image model of no use but its input: `x` of `shape` → 1x1 convolution (4 filters)
 * → ReLU → average → a Gemm head → `logits`. It runs where `shape` is [batch, 3, height, width].
 */
export function smallImageModel(shape: (number | string)[]): Uint8Array {
  const graph = new OnnxGraph();
  const x = graph.input('x', shape);
  const channels = typeof shape[1] === 'number' ? shape[1] : 3;
  const kernel = graph.floats('kernel', [4, channels, 1, 1], Float32Array.from({ length: 4 * channels }, (_, i) => Math.sin(i + 1)));
  const maps = graph.node('Relu', [graph.node('Conv', [x, kernel], { kernel_shape: [1, 1] })]);
  const pooled = graph.node('Flatten', [graph.node('GlobalAveragePool', [maps])], { axis: 1 });
  graph.node('Gemm', [pooled, graph.floats('W', [4, 2], new Float32Array(8)), graph.floats('B', [2], new Float32Array(2))], {}, 'logits');
  graph.output('logits', [shape[0], 2]);
  return graph.encode({ graphName: 'small', producer: 'a test', version: '1', doc: '', properties: {} });
}

/** y = relu(x) on 2 x 2 RGB photos (NHWC, input `pixels`, output `y`): each photo's row is its pixels, as numbers. */
export function reluPixelsModel(batch: number | string): Uint8Array {
  const graph = new OnnxGraph();
  const x = graph.input('pixels', [batch, 2, 2, 3]);
  graph.node('Relu', [x], {}, 'y');
  graph.output('y', [batch, 2, 2, 3]);
  return graph.encode({ graphName: 'pixels', producer: 'test', version: '1', doc: '', properties: {} });
}
