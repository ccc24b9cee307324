/**
 * An ONNX image model's photo input: its one input that is not a weight, float32, 4-D, with the
 * channels (3) after the batch (NCHW, as PyTorch exports) or last (NHWC, as TensorFlow does), and
 * a square size — dynamic sizes get Graft's 224 px.
 */
import { GraftError } from '../../../shared/api/errors';
import type { Layout } from '../../onnx/importedOnnx';
import { dataTypeName, FLOAT, type Dimension, type OnnxModel } from '../../onnx/onnxModel';

/** The size Graft feeds a model whose height and width are dynamic. */
export const DYNAMIC_SIZE = 224;

export interface ImageInput {
  name: string;
  layout: Layout;
  inputSize: number;
  /** The model's fixed batch size, or the name of its dynamic batch dimension. */
  batch: number | string;
  /** What Graft read, for people. */
  notes: string[];
}

const shapeText = (shape: Dimension[]) => `[${shape.map((d) => (d === null ? '?' : typeof d === 'number' ? String(d) : `“${d}”`)).join(', ')}]`;

export function imageInput(model: OnnxModel): ImageInput {
  const refuse = (reason: string) => new GraftError('invalid_request', `${model.file} ${reason}`);
  const weights = new Set(model.initializers.map((t) => t.name));
  const inputs = model.inputs.filter((v) => !weights.has(v.name));
  if (inputs.length !== 1) throw refuse(inputs.length ? `takes ${inputs.length} inputs (${inputs.map((v) => `“${v.name}”`).join(', ')}); Graft imports image models whose one input is the photo.` : 'has no input to give a photo to.');
  const input = inputs[0];
  if (input.elemType !== FLOAT) throw refuse(`takes ${dataTypeName(input.elemType)} input (“${input.name}”); Graft imports models taking float32 pixels.`);
  const shape = input.shape;
  const described = shape ? `input “${input.name}” of shape ${shapeText(shape)}` : `input “${input.name}” of no given shape`;
  if (!shape || shape.length !== 4) throw refuse(`takes ${described}; Graft needs a 4-D photo input: [batch, 3, height, width] (NCHW) or [batch, height, width, 3] (NHWC).`);
  const [batch, second, third, last] = shape;
  const channelsFirst = second === 3;
  const channelsLast = last === 3;
  if (channelsFirst === channelsLast) {
    if (!channelsFirst && typeof second === 'number' && typeof last === 'number') throw refuse(`takes ${described}: not RGB photos, which have 3 channels after the batch (NCHW) or last (NHWC).`);
    throw refuse(`takes ${described}: Graft cannot tell whether its channels come first (NCHW, [batch, 3, height, width]) or last (NHWC, [batch, height, width, 3]).`);
  }
  const layout: Layout = channelsFirst ? 'NCHW' : 'NHWC';
  const [height, width] = channelsFirst ? [third, last] : [second, third];
  if (typeof height === 'number' && typeof width === 'number' && height !== width) throw refuse(`takes ${height} × ${width} photos (${described}); Graft feeds square photos.`);
  const fixed = [height, width].find((d): d is number => typeof d === 'number');
  if (fixed !== undefined && (fixed < 8 || fixed > 4096)) throw refuse(`takes ${fixed} × ${fixed} photos (${described}); Graft feeds photos of 8 to 4096 pixels.`);
  const notes = [`Its input “${input.name}” is ${layout}, ${shapeText(shape)}.`];
  if (fixed === undefined) notes.push(`Its height and width are dynamic (${[height, width].map((d) => (typeof d === 'string' ? `“${d}”` : 'unnamed')).join(' and ')}): Graft feeds it ${DYNAMIC_SIZE} × ${DYNAMIC_SIZE} photos.`);
  const fixedBatch = typeof batch === 'number' && batch > 0 ? batch : null;
  if (fixedBatch !== null) notes.push(fixedBatch === 1 ? 'Its batch size is fixed at 1: Graft gives it one photo at a time.' : `Its batch size is fixed at ${fixedBatch}: Graft gives it photos in groups of ${fixedBatch}.`);
  return { name: input.name, layout, inputSize: fixed ?? DYNAMIC_SIZE, batch: fixedBatch ?? (typeof batch === 'string' && batch ? batch : 'batch'), notes };
}
