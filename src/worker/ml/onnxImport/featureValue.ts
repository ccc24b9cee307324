/**
 * Where an ONNX model's features are: the value the user names (a value, or a node's first
 * output), else what its classification head takes — the input of its last Gemm or MatMul, and,
 * looking through the Flatten, Reshape, Squeeze, Identity or Dropout before it, the value those
 * reshape (a pooled map, [batch, channels, 1, 1]). Which of these is used is decided on their
 * shapes, once the model has run (importOnnx.ts).
 */
import { GraftError } from '../../../shared/api/errors';
import type { OnnxModel, OnnxNode } from '../../onnx/onnxModel';

/** Operators that only reshape (or pass on) their first input. */
const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze', 'Identity', 'Dropout']);

const isOnnxOperator = (node: OnnxNode, ...types: string[]) => types.includes(node.opType) && (node.domain === '' || node.domain === 'ai.onnx');

/** A value that may hold the features, and how it was found, for people ("the input of its last Gemm (“fc”)"). */
export interface FeatureCandidate {
  value: string;
  found: string;
}

/** Values to try, preferred first: the first with a usable shape is the features. */
export function featureCandidates(model: OnnxModel, named: string | undefined, imageInput: string): FeatureCandidate[] {
  const weights = new Set(model.initializers.map((t) => t.name));
  if (named !== undefined) {
    if (weights.has(named)) throw new GraftError('invalid_request', `In ${model.file}, “${named}” is a weight, not a value computed from the photo; name a node or the value it outputs.`);
    if (named === imageInput) throw new GraftError('invalid_request', `In ${model.file}, “${named}” is the photo input itself; name a node or the value it outputs.`);
    if (model.nodes.some((n) => n.outputs.includes(named))) return [{ value: named, found: 'the value named' }];
    const node = model.nodes.find((n) => n.name === named);
    if (node?.outputs[0]) return [{ value: node.outputs[0], found: `the output of the node named “${named}”` }];
    throw new GraftError('not_found', `${model.file} has no node or value named “${named}”.`);
  }
  const head = [...model.nodes].reverse().find((n) => isOnnxOperator(n, 'Gemm', 'MatMul'));
  if (!head) throw new GraftError('invalid_request', `${model.file} has no Gemm or MatMul node (a fully connected classification head) to take the features before; name the value that gives them (--feature-layer).`);
  if (head.opType === 'Gemm' && head.attributes.get('transA')?.int === 1) throw new GraftError('invalid_request', `${model.file}'s last Gemm${head.name ? ` (“${head.name}”)` : ''} transposes its input, so Graft cannot take features from it; name the value that gives them (--feature-layer).`);
  const input = head.opType === 'MatMul' ? (head.inputs.find((i) => !weights.has(i)) ?? head.inputs[0]) : head.inputs[0];
  const producers = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const found = `the input of its last ${head.opType}${head.name ? ` (“${head.name}”)` : ''}`;
  const passed: string[] = [];
  let source = input;
  for (let producer = producers.get(source); producer && isOnnxOperator(producer, ...RESHAPES) && producer.inputs[0]; producer = producers.get(source)) {
    passed.unshift(producer.opType);
    source = producer.inputs[0];
  }
  const direct = { value: input, found };
  return source === input ? [direct] : [{ value: source, found: `${found}, before ${passed.join(' and ')}` }, direct];
}
