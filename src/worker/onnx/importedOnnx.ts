/**
 * An imported ONNX image model made into what Graft runs. Graft feeds every network the same
 * thing — RGB photos as NHWC float32 pixels 0–255, input `pixels` — and reads one row of features
 * (or probabilities) per photo. Rather than adapting photos outside the model for each imported
 * one, the model itself is rewritten once, at import:
 *
 *   pixels [batch, size, size, 3] → x · scale + offset (its normalisation, per R, G, B channel) →
 *   (B, G, R order where the model says so) → NCHW where the model takes NCHW → the model's input, then
 *   the model's own nodes up to the feature value (its classification head and anything else not
 *   needed is dropped) → averaged over space if 4-D → `features` [batch, n].
 *
 * So the stored model runs exactly like the feature models Graft converts from Keras, and a run's
 * classifier is that model with the head appended (Gemm, ReLU, Softmax → `probabilities`): one
 * ONNX model, which is also what an export writes.
 */
import { channelValues, type PixelScaling } from '../../shared/catalogue';
import { GraftError } from '../../shared/api/errors';
import type { HeadConfig, SavedWeights } from '../../shared/modelWeights';
import { ONNX_INPUT, ONNX_OUTPUT } from './kerasToOnnx';
import { OnnxEditor } from './onnxEdit';
import { readOnnx, type OnnxModel } from './onnxModel';

export const FEATURES_OUTPUT = 'features';

export type Layout = 'NCHW' | 'NHWC';

/** How Graft's pixels become the model's input. */
export interface PixelAdapter {
  /** The model's image input, which Graft's nodes compute from `pixels`. */
  input: string;
  layout: Layout;
  inputSize: number;
  /** The batch dimension of `pixels`: the model's fixed batch size, or a name (any batch). */
  batch: number | string;
  scaling: PixelScaling;
  /** The model takes its channels in the order B, G, R. */
  bgr: boolean;
}

/** A value of the model to output: as it is (to see its shape), or as features (flattened, averaged over space when 4-D). */
export type WantedValue = { value: string; as: 'raw' } | { value: string; as: 'features'; pool: Layout | null };

/** Metadata saying how Graft's rewritten models take pixels (ONNX's MetadataProps.md image keys). */
const TAKES_GRAFT_PIXELS = { 'Image.BitmapPixelFormat': 'Rgb8', 'Image.NominalPixelRange': 'NominalRange_0_255', 'Image.ColorSpaceGamma': 'SRGB' };

const isIdentity = (scaling: PixelScaling) => channelValues(scaling.scale).every((s) => s === 1) && channelValues(scaling.offset).every((o) => o === 0);

/** A constant of one value, or one per channel (the values are NHWC here, so they broadcast over the last axis). */
function channelConstant(editor: OnnxEditor, hint: string, value: number | number[]): string {
  return typeof value === 'number' ? editor.floats(hint, [], Float32Array.of(value)) : editor.floats(hint, [value.length], Float32Array.from(value));
}

/**
 * The model from Graft's pixels to the values wanted, as graph outputs: the raw ones named
 * `raw_0`, `raw_1`… (or a fresh name if the model has those), features as `features`.
 * Returns the encoded model and the output names, in the order wanted.
 */
export function adaptedModel(model: OnnxModel, adapter: PixelAdapter, wanted: WantedValue[]): { bytes: Uint8Array; outputs: string[] } {
  const editor = new OnnxEditor(model);
  // Graft's own names are taken back from the model where it uses them.
  const renamed = new Map<string, string>();
  for (const reserved of [ONNX_INPUT, FEATURES_OUTPUT, ONNX_OUTPUT]) {
    if (!editor.has(reserved)) continue;
    const to = editor.unique(`${reserved}_of_model`);
    editor.rename(reserved, to);
    renamed.set(reserved, to);
  }
  const current = (name: string) => renamed.get(name) ?? name;
  const input = current(adapter.input);
  const needed = editor.keepOnly(wanted.map((w) => current(w.value)));
  if (!needed.has(input)) throw new GraftError('invalid_request', `In ${model.file}, ${wanted.map((w) => `“${w.value}”`).join(' and ')} do${wanted.length === 1 ? 'es' : ''} not depend on the photo (the input “${adapter.input}”); choose a value computed from it.`);
  const initializers = new Set(model.initializers.map((t) => t.name));
  const others = model.inputs.filter((v) => v.name !== adapter.input && !initializers.has(v.name) && needed.has(current(v.name)));
  if (others.length) throw new GraftError('invalid_request', `${model.file} needs more than the photo to compute its features: also the input${others.length > 1 ? 's' : ''} ${others.map((v) => `“${v.name}”`).join(', ')}.`);

  const size = adapter.inputSize;
  editor.replaceInput(input, { name: ONNX_INPUT, shape: [adapter.batch, size, size, 3] });
  let x = ONNX_INPUT;
  // Per-channel values are the photo's (R, G, B): normalised first, then put in the model's order.
  if (!isIdentity(adapter.scaling)) x = editor.node('Add', [editor.node('Mul', [x, channelConstant(editor, 'graft_scale', adapter.scaling.scale)]), channelConstant(editor, 'graft_offset', adapter.scaling.offset)]);
  if (adapter.bgr) x = editor.node('Gather', [x, editor.int64s('graft_bgr_order', [2, 1, 0])], { axis: 3 });
  if (adapter.layout === 'NCHW') x = editor.node('Transpose', [x], { perm: [0, 3, 1, 2] });
  editor.node('Identity', [x], {}, input);

  const outputs = wanted.map((w, i) => {
    const value = current(w.value);
    if (w.as === 'raw') return editor.node('Identity', [value], {}, editor.unique(`raw_${i}`));
    let pooled = value;
    if (w.pool === 'NHWC') pooled = editor.node('Transpose', [pooled], { perm: [0, 3, 1, 2] });
    if (w.pool) pooled = editor.node('GlobalAveragePool', [pooled]);
    return editor.node('Flatten', [pooled], { axis: 1 }, FEATURES_OUTPUT);
  });
  editor.setOutputs(outputs.map((name, i) => ({ name, shape: wanted[i].as === 'raw' ? null : [adapter.batch, 'features'] })));
  for (const [key, value] of Object.entries(TAKES_GRAFT_PIXELS)) editor.setMetadata(key, value);
  return { bytes: editor.encode(), outputs };
}

/**
 * A run's classifier on an imported ONNX backbone: its stored feature model with the head
 * appended — Gemm (x · W + b), with ReLU after a hidden layer, then Softmax → `probabilities`.
 */
export function withHead(featureModel: Uint8Array, file: string, head: SavedWeights<HeadConfig>, labels: string[], properties: Record<string, string>): Uint8Array {
  const model = readOnnx(featureModel, file);
  const editor = new OnnxEditor(model);
  let x = FEATURES_OUTPUT;
  const tensors = head.tensors;
  for (let i = 0; i < tensors.length; i += 2) {
    const [kernel, bias] = [tensors[i], tensors[i + 1]];
    x = editor.node('Gemm', [x, editor.floats(`graft_head_W${i / 2}`, kernel.shape, Float32Array.from(kernel.values)), editor.floats(`graft_head_B${i / 2}`, bias.shape, Float32Array.from(bias.values))]);
    if (i + 2 < tensors.length) x = editor.node('Relu', [x]);
  }
  editor.node('Softmax', [x], { axis: 1 }, ONNX_OUTPUT);
  const batch = model.inputs.find((v) => v.name === ONNX_INPUT)?.shape?.[0] ?? 'batch';
  editor.setOutputs([{ name: ONNX_OUTPUT, shape: [batch, labels.length] }]);
  for (const [key, value] of Object.entries({ labels: JSON.stringify(labels), ...properties })) editor.setMetadata(key, value);
  return editor.encode();
}
