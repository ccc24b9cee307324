/**
 * Converts a classifier — a Keras-style backbone up to its feature layer, then Graft's head — to
 * ONNX. The layer types covered are those of the MobileNet families in the catalogue (Conv2D,
 * DepthwiseConv2D, BatchNormalization, ReLU/relu6 activations, ZeroPadding2D, Add, global average
 * pooling, Dropout) and those Graft's TensorFlow Lite import writes (Rescaling, Multiply, average
 * and max pooling, Reshape, Dense, sigmoid and softmax activations); any other layer is refused by
 * name rather than converted wrongly.
 *
 * Keras works in NHWC; ONNX convolutions in NCHW. The model takes NHWC pixels (what a decoder
 * gives), applies the backbone's preprocessing, and transposes once at the start: 4-D values are
 * NCHW from there on, and a Reshape from or to 4-D transposes around its reshape.
 */

import type { PixelScaling } from '../../shared/catalogue';
import type { HeadConfig, SavedWeights } from '../../shared/modelWeights';
import { tf } from '../ml/tensorflow';
import { OnnxGraph } from './onnxGraph';

export interface OnnxClassifierSpec {
  /** The backbone as published, loaded with tf.loadLayersModel. */
  backbone: tf.LayersModel;
  featureLayer: string;
  /** Average the feature layer over space (it is 4-D). */
  pool: boolean;
  inputSize: number;
  head: SavedWeights<HeadConfig>;
  labels: string[];
  /** The backbone's preprocessing, x * scale + offset, done inside the model. */
  scaling: PixelScaling;
  properties: Record<string, string>;
}

export const ONNX_INPUT = 'pixels';
export const ONNX_OUTPUT = 'probabilities';

/** A layer's configuration as tfjs gives it (camelCase keys, unlike the Keras JSON). */
type KerasConfig = Record<string, unknown>;

class UnsupportedLayer extends Error {}

/** The model has a layer (or a use of one) the converter does not cover; nothing was written. */
export class UnsupportedByOnnx extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedByOnnx';
  }
}

function weightsOf(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  const weights = new Map<string, tf.Tensor>();
  // Variable names are "<layer>/<weight>" (e.g. conv1_bn/moving_mean), possibly uniquified with "_1".
  for (const w of layer.weights) weights.set(w.originalName.split('/').pop()!.replace(/_\d+$/, ''), w.read());
  return weights;
}

/** The shapes of the inputs of a layer applied once (with the batch dimension, null). */
function inputShapes(layer: tf.layers.Layer): (number | null)[][] {
  const shapes = layer.inboundNodes[0].inputShapes;
  return Array.isArray(shapes[0]) ? (shapes as (number | null)[][]) : [shapes as (number | null)[]];
}

function floatsOf(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

function convert(graph: OnnxGraph, layer: tf.layers.Layer, inputs: string[]): string {
  const cls = layer.getClassName();
  const config = layer.getConfig() as KerasConfig;
  const name = layer.name;
  // The layer's value is named after it where that name is free (a readable graph).
  const out = graph.unique(name);
  const inputRank = inputShapes(layer)[0].length;
  const w = weightsOf(layer);
  if ('dataFormat' in config && config.dataFormat !== 'channelsLast') throw new UnsupportedLayer(`${name}: only channels_last layers are supported`);
  const activation = (x: string, fn: unknown): string => {
    switch (fn ?? 'linear') {
      case 'linear':
        return x;
      case 'relu':
        return graph.node('Relu', [x]);
      case 'relu6':
        return graph.node('Clip', [x, graph.floats('zero', [], Float32Array.of(0)), graph.floats('six', [], Float32Array.of(6))]);
      case 'sigmoid':
        return graph.node('Sigmoid', [x]);
      case 'tanh':
        return graph.node('Tanh', [x]);
      case 'softmax':
        // Over the last axis, which only 2-D values keep last (4-D ones are NCHW here).
        if (inputRank !== 2) throw new UnsupportedLayer(`${name}: softmax over a ${inputRank}-D value`);
        return graph.node('Softmax', [x], { axis: 1 });
      default:
        throw new UnsupportedLayer(`${name}: activation “${String(fn)}”`);
    }
  };
  const convAttributes = (kernel = (config.kernelSize as number[] | undefined) ?? [1, 1]): Record<string, number[] | string> => {
    const strides = config.strides as number[];
    const dilations = (config.dilationRate as number[] | undefined) ?? [1, 1];
    if (config.padding === 'same') {
      // TensorFlow's SAME pads the extra row and column at the end, as SAME_UPPER does; onnxruntime
      // refuses SAME_UPPER with dilation, so the pads are explicit where the input size is known.
      const [, height, width] = inputShapes(layer)[0];
      if (height === null || width === null) {
        if (dilations.some((d) => d > 1)) throw new UnsupportedLayer(`${name}: dilated “same” convolution of an input of unknown size`);
        return { kernel_shape: kernel, strides, dilations, auto_pad: 'SAME_UPPER' };
      }
      const [[top, bottom], [left, right]] = [height, width].map((size, i) => {
        const total = Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
      return { kernel_shape: kernel, strides, dilations, pads: [top, left, bottom, right] };
    }
    if (config.padding === 'valid') return { kernel_shape: kernel, strides, dilations, pads: [0, 0, 0, 0] };
    throw new UnsupportedLayer(`${name}: padding “${String(config.padding)}”`);
  };
  switch (cls) {
    case 'Conv2D': {
      const kernel = w.get('kernel')!; // [kh, kw, in, out] → [out, in, kh, kw]
      const [kh, kw, channels, filters] = kernel.shape as [number, number, number, number];
      const weights = graph.floats(`${name}_W`, [filters, channels, kh, kw], floatsOf(tf.transpose(kernel, [3, 2, 0, 1])));
      const bias = w.get('bias');
      const conv = graph.node('Conv', [inputs[0], weights, ...(bias ? [graph.floats(`${name}_B`, [bias.shape[0]], floatsOf(bias))] : [])], convAttributes(), out);
      return activation(conv, config.activation);
    }
    case 'DepthwiseConv2D': {
      // TensorFlow.js 4.22's DepthwiseConv2D layer ignores its dilation: ONNX would compute what tfjs does not.
      if ((config.dilationRate as number[] | undefined)?.some((d) => d > 1)) throw new UnsupportedLayer(`${name}: dilated DepthwiseConv2D (TensorFlow.js ignores the dilation)`);
      const kernel = w.get('depthwise_kernel')!; // [kh, kw, in, multiplier] → [in * multiplier, 1, kh, kw]
      const [kh, kw, channels, multiplier] = kernel.shape as [number, number, number, number];
      const weights = graph.floats(`${name}_W`, [channels * multiplier, 1, kh, kw], floatsOf(tf.transpose(kernel, [2, 3, 0, 1])));
      const bias = w.get('bias');
      const conv = graph.node('Conv', [inputs[0], weights, ...(bias ? [graph.floats(`${name}_B`, [bias.shape[0]], floatsOf(bias))] : [])], { ...convAttributes(), group: channels }, out);
      return activation(conv, config.activation);
    }
    case 'BatchNormalization': {
      const axis = config.axis as number | number[];
      if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) throw new UnsupportedLayer(`${name}: normalisation over axis ${JSON.stringify(axis)}`);
      const mean = w.get('moving_mean')!;
      const channels = mean.shape[0];
      const scale = w.get('gamma') ?? tf.ones([channels]);
      const offset = w.get('beta') ?? tf.zeros([channels]);
      const inputsOfNode = [inputs[0], graph.floats(`${name}_scale`, [channels], floatsOf(scale)), graph.floats(`${name}_B`, [channels], floatsOf(offset)), graph.floats(`${name}_mean`, [channels], floatsOf(mean)), graph.floats(`${name}_var`, [channels], floatsOf(w.get('moving_variance')!))];
      return graph.node('BatchNormalization', inputsOfNode, { epsilon: { float: config.epsilon as number } }, out);
    }
    case 'Activation':
      return activation(inputs[0], config.activation);
    case 'ReLU': {
      if (Number(config.negativeSlope ?? 0) !== 0 || Number(config.threshold ?? 0) !== 0) throw new UnsupportedLayer(`${name}: leaky or thresholded ReLU`);
      const max = config.maxValue as number | null | undefined;
      if (max === null || max === undefined) return graph.node('Relu', inputs, {}, out);
      return graph.node('Clip', [inputs[0], graph.floats('zero', [], Float32Array.of(0)), graph.floats(`${name}_max`, [], Float32Array.of(max))], {}, out);
    }
    case 'ZeroPadding2D': {
      const raw = config.padding as number | number[] | number[][];
      const [[top, bottom], [left, right]] = typeof raw === 'number' ? [[raw, raw], [raw, raw]] : Array.isArray(raw[0]) ? (raw as number[][]) : [[raw[0] as number, raw[0] as number], [raw[1] as number, raw[1] as number]];
      return graph.node('Pad', [inputs[0], graph.int64s(`${name}_pads`, [0, 0, top, left, 0, 0, bottom, right])], { mode: 'constant' }, out);
    }
    case 'Add':
    case 'Multiply': {
      // Equal ranks broadcast alike in NHWC and NCHW (the same axes are 1); different ranks would not.
      const shapes = inputShapes(layer);
      if (shapes.some((shape) => shape.length !== shapes[0].length)) throw new UnsupportedLayer(`${name}: ${cls} of values of different ranks`);
      const op = cls === 'Add' ? 'Add' : 'Mul';
      return inputs.slice(1).reduce((sum, x, i) => graph.node(op, [sum, x], {}, i === inputs.length - 2 ? out : undefined), inputs[0]);
    }
    case 'Rescaling':
      return graph.node('Add', [graph.node('Mul', [inputs[0], graph.floats(`${name}_scale`, [], Float32Array.of(config.scale as number))]), graph.floats(`${name}_offset`, [], Float32Array.of(config.offset as number))], {}, out);
    case 'GlobalAveragePooling2D':
      return graph.node('Flatten', [graph.node('GlobalAveragePool', inputs)], { axis: 1 }, out);
    case 'AveragePooling2D':
    case 'MaxPooling2D': {
      // As TensorFlow, an average over a window cut by SAME padding counts only the pixels inside (count_include_pad 0).
      const attributes = convAttributes(config.poolSize as number[]);
      delete attributes.dilations;
      return graph.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', inputs, attributes, out);
    }
    case 'Reshape': {
      // Keras reshapes NHWC in row-major order: NCHW values go back to NHWC around the reshape.
      const target = config.targetShape as number[];
      const nhwc = inputRank === 4 ? graph.node('Transpose', inputs, { perm: [0, 2, 3, 1] }) : inputs[0];
      if (target.length === 3) return graph.node('Transpose', [graph.node('Reshape', [nhwc, graph.int64s(`${name}_shape`, [0, ...target])])], { perm: [0, 3, 1, 2] }, out);
      return graph.node('Reshape', [nhwc, graph.int64s(`${name}_shape`, [0, ...target])], {}, out);
    }
    case 'Dense': {
      if (inputRank !== 2) throw new UnsupportedLayer(`${name}: Dense on ${inputRank}-D values`);
      const kernel = w.get('kernel')!; // [in, out]: Gemm's B
      const bias = w.get('bias');
      const inputsOfNode = [inputs[0], graph.floats(`${name}_W`, kernel.shape, floatsOf(kernel)), ...(bias ? [graph.floats(`${name}_B`, bias.shape, floatsOf(bias))] : [])];
      return activation(graph.node('Gemm', inputsOfNode, {}, out), config.activation);
    }
    case 'Dropout':
      return inputs[0]; // inference only
    default:
      throw new UnsupportedLayer(`${name}: ${cls} layers`);
  }
}

/** The layers the feature layer depends on, in the model's (topological) order. */
function layersUpTo(model: tf.LayersModel, featureLayer: string): tf.layers.Layer[] {
  const needed = new Set<string>();
  const visit = (layer: tf.layers.Layer) => {
    if (needed.has(layer.name)) return;
    needed.add(layer.name);
    for (const node of layer.inboundNodes) for (const parent of node.inboundLayers) visit(parent);
  };
  visit(model.getLayer(featureLayer));
  return model.layers.filter((l) => needed.has(l.name));
}

/** Adds the preprocessing and the backbone's layers up to `outputLayer`; returns that layer's value (NCHW when spatial). */
/** A scalar constant, or one value per channel: NHWC values broadcast it over their last axis. */
function channelConstant(graph: OnnxGraph, hint: string, value: number | number[]): string {
  return typeof value === 'number' ? graph.floats(hint, [], Float32Array.of(value)) : graph.floats(hint, [value.length], Float32Array.from(value));
}

function convertTrunk(graph: OnnxGraph, backbone: tf.LayersModel, outputLayer: string, inputSize: number, scaling: PixelScaling): string {
  const pixels = graph.input(ONNX_INPUT, ['batch', inputSize, inputSize, 3]);
  // The backbone's preprocessing (on NHWC pixels, so per-channel values apply to the last axis), then NHWC → NCHW.
  const scaled = graph.node('Add', [graph.node('Mul', [pixels, channelConstant(graph, 'scale', scaling.scale)]), channelConstant(graph, 'offset', scaling.offset)]);
  const nchw = graph.node('Transpose', [scaled], { perm: [0, 3, 1, 2] });
  const values = new Map<string, string>();
  for (const layer of layersUpTo(backbone, outputLayer)) {
    if (layer.getClassName() === 'InputLayer') {
      values.set(layer.name, nchw);
      continue;
    }
    if (layer.inboundNodes.length !== 1) throw new UnsupportedByOnnx(`The ONNX export does not support layers applied more than once (${layer.name}).`);
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => values.get(l.name)!);
    try {
      values.set(layer.name, convert(graph, layer, inputs));
    } catch (error) {
      if (error instanceof UnsupportedLayer) throw new UnsupportedByOnnx(`The ONNX export does not support ${error.message}.`);
      throw error;
    }
  }
  return values.get(outputLayer)!;
}

export function classifierToOnnx(spec: OnnxClassifierSpec): Uint8Array {
  const graph = new OnnxGraph([ONNX_OUTPUT, 'features']);
  // tf.tidy frees the weights' temporary tensors; the encoding stays outside it, as tidy would walk every byte of its result.
  tf.tidy(() => {
    let features = convertTrunk(graph, spec.backbone, spec.featureLayer, spec.inputSize, spec.scaling);
    if (spec.pool) features = graph.node('Flatten', [graph.node('GlobalAveragePool', [features])], { axis: 1 }, 'features');

    // The head: Gemm (x · W + b), with ReLU after a hidden layer; dropout is inactive at inference.
    const tensors = spec.head.tensors;
    let x = features;
    for (let i = 0; i < tensors.length; i += 2) {
      const [kernel, bias] = [tensors[i], tensors[i + 1]];
      x = graph.node('Gemm', [x, graph.floats(`head_W${i / 2}`, kernel.shape, Float32Array.from(kernel.values)), graph.floats(`head_B${i / 2}`, bias.shape, Float32Array.from(bias.values))]);
      if (i + 2 < tensors.length) x = graph.node('Relu', [x]);
    }
    graph.node('Softmax', [x], { axis: 1 }, ONNX_OUTPUT);
    graph.output(ONNX_OUTPUT, ['batch', spec.labels.length]);
  });
  return graph.encode({
    graphName: 'graft_classifier',
    producer: 'Graft',
    version: '1',
    doc: `Classifies ${spec.inputSize}x${spec.inputSize} RGB photos (NHWC float32 pixels 0–255) into: ${spec.labels.join(', ')}.`,
    properties: { labels: JSON.stringify(spec.labels), ...spec.properties },
  });
}

export const TRUNK_OUTPUT = 'activations';

/**
 * The backbone from pixels to one of its layers: NHWC activations like tfjs for a spatial layer
 * (the frozen lower part of a network being fine-tuned), or, with `pool`, those averaged over
 * space (features). onnxruntime runs it several times faster than TensorFlow.js here.
 */
export function trunkToOnnx(backbone: tf.LayersModel, outputLayer: string, inputSize: number, scaling: PixelScaling, pool = false): Uint8Array {
  const graph = new OnnxGraph([TRUNK_OUTPUT]);
  tf.tidy(() => {
    const value = convertTrunk(graph, backbone, outputLayer, inputSize, scaling);
    const spatial = (backbone.getLayer(outputLayer).outputShape as number[]).length === 4;
    if (pool && spatial) graph.node('Flatten', [graph.node('GlobalAveragePool', [value])], { axis: 1 }, TRUNK_OUTPUT);
    else if (spatial) graph.node('Transpose', [value], { perm: [0, 2, 3, 1] }, TRUNK_OUTPUT);
    else graph.node('Identity', [value], {}, TRUNK_OUTPUT);
    graph.output(TRUNK_OUTPUT, pool || !spatial ? ['batch', 'features'] : ['batch', 'height', 'width', 'channels']);
  });
  return graph.encode({ graphName: 'graft_trunk', producer: 'Graft', version: '1', doc: `Activations of ${outputLayer}${pool ? ', averaged over space' : ''}.`, properties: {} });
}
