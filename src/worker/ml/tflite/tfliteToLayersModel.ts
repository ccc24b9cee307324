/**
 * Converts a TensorFlow Lite image model into a TensorFlow.js layers model, one Keras layer (or a
 * few) per operator, with every weight dequantized to float32: the network then runs in float
 * everywhere Graft runs models (TensorFlow.js, and onnxruntime through Graft's Keras→ONNX
 * converter), like the published float model it was quantized from, within quantization error.
 *
 * Pixels: Graft feeds a backbone its photos' pixels (0–255) scaled by the backbone's
 * preprocessing (`graftScaling`, x · scale + offset). The model's first layer maps those values to
 * what the TFLite model takes: for a uint8/int8 input, the float value its input quantization
 * stands for (the pixel is the uint8 value, or the int8 value + 128); for a float input, the
 * normalisation its metadata gives; else the values as Graft scales them. This is a Rescaling
 * layer (a 1x1 depthwise convolution when channels differ) rather than a fold into the first
 * convolution, because a fold is wrong at the borders (TFLite pads the mapped values with zeros,
 * a folded convolution would pad the pixels) and the first operator need not be a convolution.
 *
 * Padding: TFLite's SAME pads (out − 1) · stride + window − in, the smaller half before, as
 * TensorFlow does; TensorFlow.js's Keras layers compute 'same' the same way (and onnxruntime's
 * SAME_UPPER too), even input sizes with stride 2 included — tfliteToLayersModel.test.ts checks it
 * against a direct computation — so SAME maps to 'same' with no explicit ZeroPadding2D.
 */
import type { GraftError } from '../../../shared/api/errors';
import { channelValues, type PixelScaling } from '../../../shared/catalogue';
import { floatValues, integerValues } from './constants';
import { KerasModelBuilder, type LayersModelArtifacts, type LayerWeight } from './kerasModelBuilder';
import { inputNormalization } from './normalization';
import { convOptions, fullyConnectedOptions, fusedActivation, keepDims, poolOptions, softmaxBeta } from './operatorOptions';
import type { ActivationFunction } from './schema';
import { tfliteError, type TfliteModel, type TfliteOperator } from './tfliteModel';


export interface ConvertedTflite {
  artifacts: LayersModelArtifacts;
  /** The layer giving the model's own output (its probabilities, or an embedder's vector). */
  outputLayer: string;
  /**
   * The layer whose output is the feature vector: the input of the classification head (a last
   * FULLY_CONNECTED, or a 1x1 convolution on a 1x1 map, before any softmax and reshape) when the
   * model has one, else the model's output.
   */
  featureLayer: string;
  /** What says how pixels map to the model's input: its input quantization, its normalisation metadata, or Graft's preprocessing. */
  pixelsFrom: 'quantization' | 'metadata' | 'preprocessing';
}

const CONVERTERS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'MUL', 'PAD', 'MEAN', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX', 'HARD_SWISH', 'LOGISTIC', 'RELU', 'RELU6', 'QUANTIZE', 'DEQUANTIZE']);

/** How many inputs each operator cannot do without (the others: 1). */
const REQUIRED_INPUTS: Record<string, number> = { CONV_2D: 2, DEPTHWISE_CONV_2D: 2, FULLY_CONNECTED: 2, ADD: 2, MUL: 2, PAD: 2, MEAN: 2 };

/** Operators between the logits and the output that do not change which class wins. */
const HEAD_TAIL = new Set(['SOFTMAX', 'LOGISTIC', 'RESHAPE', 'QUANTIZE', 'DEQUANTIZE']);

function listed(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Row-major values of `shape` with their axes reordered by `perm`. */
function transpose(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((n, d) => n * d, 1));
  // Source strides in output axis order; the innermost output axis runs in a plain loop.
  const step = perm.map((p) => strides[p]);
  const inner = outShape.length - 1;
  const out = new Float32Array(values.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o += outShape[inner]) {
    let source = 0;
    for (let k = 0; k < inner; k++) source += index[k] * step[k];
    for (let j = 0; j < outShape[inner]; j++) out[o + j] = values[source + j * step[inner]];
    for (let k = inner - 1; k >= 0; k--) {
      if (++index[k] < outShape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

class Converter {
  private readonly keras: KerasModelBuilder;
  /** The Keras layer computing each run-time tensor. */
  private readonly layers = new Map<number, string>();
  /** Constants made by an operator (DEQUANTIZE of float16 or int8 weights). */
  private readonly folded = new Map<number, Float32Array>();

  constructor(
    private readonly model: TfliteModel,
    private readonly graftScaling: PixelScaling,
  ) {
    this.keras = new KerasModelBuilder(model.file.replace(/\.tflite$/i, ''));
  }

  private refuse(reason: string): GraftError {
    return tfliteError(this.model.file, reason);
  }

  private shape(tensor: number): number[] {
    return this.model.tensors[tensor].shape.slice(1);
  }

  private isConstant(tensor: number): boolean {
    return this.folded.has(tensor) || this.model.tensors[tensor].data !== null;
  }

  private constant(tensor: number): Float32Array {
    return this.folded.get(tensor) ?? floatValues(this.model, this.model.tensors[tensor]);
  }

  private value(tensor: number, op: TfliteOperator | null): string {
    const layer = this.layers.get(tensor);
    const reader = op ? `its ${op.opcode} operator (number ${op.index})` : 'its output';
    if (layer === undefined) throw this.refuse(`is damaged: ${reader} reads ${this.model.tensors[tensor]?.name ?? `tensor ${tensor}`} before anything computes it.`);
    return layer;
  }

  /** A layer name from the tensor's name (TFLite joins the names of fused ops with “;”). */
  private hint(tensor: number): string {
    return this.model.tensors[tensor].name.split(';')[0];
  }

  private activation(fn: ActivationFunction, op: TfliteOperator): string {
    if (fn === 'NONE') return 'linear';
    if (fn === 'RELU') return 'relu';
    if (fn === 'RELU6') return 'relu6';
    throw this.refuse(`uses the fused activation ${fn} (in its ${op.opcode} operator), which Graft cannot import yet.`);
  }

  /** A fused activation as its own layer, for layers that have no activation setting. */
  private activated(layer: string, fn: ActivationFunction, op: TfliteOperator, hint: string): string {
    const name = this.activation(fn, op);
    if (name === 'linear') return layer;
    return this.keras.layer('ReLU', `${hint}_${name}`, name === 'relu6' ? { max_value: 6 } : {}, [layer]);
  }

  convert(): ConvertedTflite {
    const { model } = this;
    const unknown = model.operators.filter((op) => !CONVERTERS.has(op.opcode));
    const builtins = [...new Set(unknown.filter((op) => op.opcode !== 'CUSTOM').map((op) => op.opcode))];
    const customs = [...new Set(unknown.filter((op) => op.opcode === 'CUSTOM').map((op) => op.customCode ?? '(unnamed)'))];
    const named = (kind: string, names: string[]) => (names.length ? [`the ${kind}${names.length > 1 ? 's' : ''} ${listed(names)}`] : []);
    const uses = [...named('operator', builtins), ...named('custom operator', customs)];
    if (uses.length) throw this.refuse(`uses ${uses.join(' and ')}, which Graft cannot import yet.`);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw this.refuse(`has ${model.inputs.length} inputs and ${model.outputs.length} outputs; Graft imports image models with one input and one output.`);

    const pixelsFrom = this.convertInput(model.inputs[0]);
    for (const op of model.operators) this.convertOperator(op);

    const output = model.outputs[0];
    const outputLayer = this.value(output, null);
    return { artifacts: this.keras.build(outputLayer), outputLayer, featureLayer: this.layers.get(this.featureTensor(output))!, pixelsFrom };
  }

  /** The input layer, and the layer mapping Graft's scaled pixels to the model's input values. */
  private convertInput(index: number): ConvertedTflite['pixelsFrom'] {
    const tensor = this.model.tensors[index];
    const [batch, height, width, channels] = tensor.shape;
    if (tensor.shape.length !== 4 || batch !== 1 || channels !== 3 || height !== width || height < 8) {
      throw this.refuse(`takes input of shape [${tensor.shape.join(', ')}]; Graft needs one square RGB photo ([1, size, size, 3]).`);
    }
    // The model's input as a function of the pixel p: scale · p + offset, per channel.
    const perChannel = (values: number[]) => (values.length === 1 ? [values[0], values[0], values[0]] : values);
    let scale: number[];
    let offset: number[];
    let pixelsFrom: ConvertedTflite['pixelsFrom'] = 'preprocessing';
    if (tensor.type === 'UINT8' || tensor.type === 'INT8') {
      pixelsFrom = 'quantization';
      const q = tensor.quantization;
      if (!q || q.scales.length !== 1) throw this.refuse(`has a ${tensor.type} input without one scale and zero point to read pixels with.`);
      const shift = tensor.type === 'INT8' ? 128 : 0; // an int8 input holds pixel − 128
      scale = [q.scales[0]];
      offset = [-q.scales[0] * (shift + q.zeroPoints[0])];
    } else if (tensor.type === 'FLOAT32') {
      const normalization = inputNormalization(this.model);
      if (normalization) {
        pixelsFrom = 'metadata';
        const [mean, std] = [perChannel(normalization.mean), perChannel(normalization.std)];
        scale = std.map((s) => 1 / s);
        offset = mean.map((m, c) => -m / std[c]);
      } else {
        // Without metadata the model takes pixels as the caller's preprocessing scales them.
        scale = channelValues(this.graftScaling.scale);
        offset = channelValues(this.graftScaling.offset);
      }
    } else {
      throw this.refuse(`takes ${tensor.type} input; Graft imports models taking float32, uint8 or int8 pixels.`);
    }
    // Graft gives x = a · p + b, so p = (x − b) / a.
    const [a, b] = [channelValues(this.graftScaling.scale), channelValues(this.graftScaling.offset)];
    const layerScale = perChannel(scale).map((s, c) => s / a[c]);
    const layerOffset = perChannel(offset).map((o, c) => o - (perChannel(scale)[c] * b[c]) / a[c]);
    const pixels = this.keras.input('pixels', [height, width, 3]);
    let first = pixels;
    const uniform = layerScale.every((s) => s === layerScale[0]) && layerOffset.every((o) => o === layerOffset[0]);
    if (uniform && (Math.abs(layerScale[0] - 1) > 1e-9 || Math.abs(layerOffset[0]) > 1e-9)) {
      first = this.keras.layer('Rescaling', 'input_mapping', { scale: layerScale[0], offset: layerOffset[0] }, [pixels]);
    } else if (!uniform) {
      first = this.keras.layer('DepthwiseConv2D', 'input_mapping', { kernel_size: [1, 1], strides: [1, 1], padding: 'valid', depth_multiplier: 1, data_format: 'channels_last', activation: 'linear', use_bias: true }, [pixels], [
        { name: 'depthwise_kernel', shape: [1, 1, 3, 1], values: Float32Array.from(layerScale) },
        { name: 'bias', shape: [3], values: Float32Array.from(layerOffset) },
      ]);
    }
    this.layers.set(index, first);
    return pixelsFrom;
  }

  /** Walks back from the output over softmax, reshapes and (de)quantization to the logits' producer. */
  private featureTensor(output: number): number {
    const producers = new Map(this.model.operators.flatMap((op) => op.outputs.map((t) => [t, op] as const)));
    let tensor = output;
    for (let op = producers.get(tensor); op; op = producers.get(tensor)) {
      if (HEAD_TAIL.has(op.opcode)) {
        tensor = op.inputs[0];
        continue;
      }
      // A convolution of a 1x1 map is a fully connected layer.
      const [height, width] = this.shape(op.inputs[0]);
      const logits = op.opcode === 'FULLY_CONNECTED' || (op.opcode === 'CONV_2D' && height === 1 && width === 1);
      return logits ? op.inputs[0] : output;
    }
    return output;
  }

  private convertOperator(op: TfliteOperator): void {
    const { keras, model } = this;
    const needed = REQUIRED_INPUTS[op.opcode] ?? 1;
    if (op.inputs.length < needed || op.inputs.slice(0, needed).includes(-1) || op.outputs.length === 0) {
      throw this.refuse(`is damaged: its ${op.opcode} operator (number ${op.index}) lacks an input or its output.`);
    }
    const [x] = op.inputs;
    const out = op.outputs[0];
    const hint = this.hint(out);
    const set = (layer: string) => this.layers.set(out, layer);
    switch (op.opcode) {
      case 'QUANTIZE':
      case 'DEQUANTIZE':
        // In float these are the identity; a DEQUANTIZE of weights gives weights.
        if (this.isConstant(x)) this.folded.set(out, this.constant(x));
        else set(this.value(x, op));
        return;
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
        return void set(this.convolution(op, hint));
      case 'FULLY_CONNECTED':
        return void set(this.dense(op, hint));
      case 'ADD':
      case 'MUL':
        return void set(this.activated(this.elementwise(op, hint), fusedActivation(model, op), op, hint));
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const o = poolOptions(model, op);
        const pool = keras.layer(op.opcode === 'MAX_POOL_2D' ? 'MaxPooling2D' : 'AveragePooling2D', hint, { pool_size: o.filter, strides: o.strides, padding: o.padding === 'SAME' ? 'same' : 'valid', data_format: 'channels_last' }, [this.value(x, op)]);
        return void set(this.activated(pool, o.activation, op, hint));
      }
      case 'PAD': {
        const pads = integerValues(model, model.tensors[op.inputs[1]]);
        const [batch, top, left, channel] = [0, 2, 4, 6].map((i) => [pads[i], pads[i + 1]]);
        if (pads.length !== 8 || [...batch, ...channel].some((p) => p !== 0) || pads.some((p) => p < 0)) {
          throw this.refuse(`pads a tensor by ${JSON.stringify(pads)}; Graft imports PAD only of the height and width of an image tensor.`);
        }
        return void set(keras.layer('ZeroPadding2D', hint, { padding: [top, left], data_format: 'channels_last' }, [this.value(x, op)]));
      }
      case 'MEAN': {
        const rank = model.tensors[x].shape.length;
        const axes = integerValues(model, model.tensors[op.inputs[1]]).map((a) => (a < 0 ? a + rank : a));
        if (rank !== 4 || axes.length !== 2 || !axes.includes(1) || !axes.includes(2)) throw this.refuse(`takes a MEAN over axes [${axes.join(', ')}] of a ${rank}-D tensor; Graft imports only the mean over height and width.`);
        const pooled = keras.layer('GlobalAveragePooling2D', hint, { data_format: 'channels_last' }, [this.value(x, op)]);
        return void set(keepDims(model, op) ? keras.layer('Reshape', `${hint}_keep_dims`, { target_shape: [1, 1, this.shape(x)[2]] }, [pooled]) : pooled);
      }
      case 'RESHAPE': {
        const [from, to] = [model.tensors[x].shape, model.tensors[out].shape];
        if (from[0] !== 1 || to[0] !== 1) throw this.refuse(`reshapes [${from.join(', ')}] to [${to.join(', ')}]; Graft imports reshapes that keep the batch of one photo first.`);
        return void set(keras.layer('Reshape', hint, { target_shape: to.slice(1) }, [this.value(x, op)]));
      }
      case 'SOFTMAX': {
        const beta = softmaxBeta(model, op);
        const scaled = beta === 1 ? this.value(x, op) : keras.layer('Rescaling', `${hint}_beta`, { scale: beta, offset: 0 }, [this.value(x, op)]);
        return void set(keras.layer('Activation', hint, { activation: 'softmax' }, [scaled]));
      }
      case 'LOGISTIC':
        return void set(keras.layer('Activation', hint, { activation: 'sigmoid' }, [this.value(x, op)]));
      case 'RELU':
        return void set(keras.layer('ReLU', hint, {}, [this.value(x, op)]));
      case 'RELU6':
        return void set(keras.layer('ReLU', hint, { max_value: 6 }, [this.value(x, op)]));
      case 'HARD_SWISH': {
        // x · relu6(x + 3) / 6, from layers TensorFlow.js has.
        const input = this.value(x, op);
        const shifted = keras.layer('Rescaling', `${hint}_plus_3`, { scale: 1, offset: 3 }, [input]);
        const clipped = keras.layer('ReLU', `${hint}_relu6`, { max_value: 6 }, [shifted]);
        const gate = keras.layer('Rescaling', `${hint}_div_6`, { scale: 1 / 6, offset: 0 }, [clipped]);
        return void set(keras.layer('Multiply', hint, {}, [input, gate]));
      }
      default:
        throw this.refuse(`uses the operator ${op.opcode}, which Graft cannot import yet.`);
    }
  }

  private convolution(op: TfliteOperator, hint: string): string {
    const { model } = this;
    const [x, filter, bias] = op.inputs;
    if (!this.isConstant(filter)) throw this.refuse(`computes the filter of its ${op.opcode} operator (number ${op.index}) at run time; Graft imports constant filters only.`);
    const o = convOptions(model, op);
    if (o.strides.some((s) => s > 1) && o.dilations.some((d) => d > 1)) throw this.refuse(`has a ${op.opcode} with both strides and dilation, which TensorFlow.js cannot run.`);
    // TensorFlow.js 4.22's DepthwiseConv2D layer ignores its dilation.
    if (op.opcode === 'DEPTHWISE_CONV_2D' && o.dilations.some((d) => d > 1)) throw this.refuse('has a dilated DEPTHWISE_CONV_2D, which TensorFlow.js’s layers cannot compute yet.');
    const channels = this.shape(x)[2];
    const [outputs, kh, kw, inputs] = model.tensors[filter].shape;
    const weights: LayerWeight[] = [];
    const config: Record<string, unknown> = { kernel_size: [kh, kw], strides: o.strides, padding: o.padding === 'SAME' ? 'same' : 'valid', dilation_rate: o.dilations, data_format: 'channels_last', activation: this.activation(o.activation, op), use_bias: bias !== undefined && bias >= 0 };
    if (op.opcode === 'CONV_2D') {
      if (inputs !== channels) throw this.refuse(`has a grouped convolution (${channels} channels in, filters over ${inputs}), which Graft cannot import yet.`);
      // TFLite filters are [out, h, w, in]; Keras kernels [h, w, in, out].
      weights.push({ name: 'kernel', shape: [kh, kw, inputs, outputs], values: transpose(this.constant(filter), [outputs, kh, kw, inputs], [1, 2, 3, 0]) });
      config.filters = outputs;
    } else {
      // [1, h, w, in · multiplier], output channel c · multiplier + m: the memory order of Keras's [h, w, in, multiplier].
      if (inputs % channels !== 0) throw this.refuse(`is damaged: a depthwise filter has ${inputs} channels for an input of ${channels}.`);
      weights.push({ name: 'depthwise_kernel', shape: [kh, kw, channels, inputs / channels], values: this.constant(filter) });
      config.depth_multiplier = inputs / channels;
    }
    if (config.use_bias) weights.push({ name: 'bias', shape: [op.opcode === 'CONV_2D' ? outputs : inputs], values: this.constant(bias) });
    return this.keras.layer(op.opcode === 'CONV_2D' ? 'Conv2D' : 'DepthwiseConv2D', hint, config, [this.value(x, op)], weights);
  }

  private dense(op: TfliteOperator, hint: string): string {
    const { model } = this;
    const [x, matrix, bias] = op.inputs;
    if (!this.isConstant(matrix)) throw this.refuse(`computes the weights of its FULLY_CONNECTED operator (number ${op.index}) at run time; Graft imports constant weights only.`);
    const o = fullyConnectedOptions(model, op);
    if (o.shuffledWeights) throw this.refuse('stores FULLY_CONNECTED weights in the shuffled 4x16 int8 format, which Graft cannot import yet.');
    const [units, inputs] = model.tensors[matrix].shape;
    let input = this.value(x, op);
    const shape = this.shape(x);
    if (shape.length !== 1) {
      // TFLite flattens the input to [batch, inputs]: a row-major reshape, as Keras's.
      if (o.keepNumDims || shape.reduce((n, d) => n * d, 1) !== inputs) throw this.refuse(`applies FULLY_CONNECTED to a [${shape.join(', ')}] tensor per position, which Graft cannot import yet.`);
      input = this.keras.layer('Reshape', `${hint}_flatten`, { target_shape: [inputs] }, [input]);
    }
    const useBias = bias !== undefined && bias >= 0;
    const weights: LayerWeight[] = [{ name: 'kernel', shape: [inputs, units], values: transpose(this.constant(matrix), [units, inputs], [1, 0]) }];
    if (useBias) weights.push({ name: 'bias', shape: [units], values: this.constant(bias) });
    return this.keras.layer('Dense', hint, { units, activation: this.activation(o.activation, op), use_bias: useBias }, [input], weights);
  }

  /** ADD or MUL of two computed tensors (broadcast over equal ranks), or of one and a constant. */
  private elementwise(op: TfliteOperator, hint: string): string {
    const [a, b] = op.inputs;
    const add = op.opcode === 'ADD';
    if (!this.isConstant(a) && !this.isConstant(b)) {
      if (this.shape(a).length !== this.shape(b).length) throw this.refuse(`uses ${op.opcode} on tensors of different ranks ([${this.shape(a).join(', ')}] and [${this.shape(b).join(', ')}]), which Graft cannot import yet.`);
      return this.keras.layer(add ? 'Add' : 'Multiply', hint, {}, [this.value(a, op), this.value(b, op)]);
    }
    if (this.isConstant(a) && this.isConstant(b)) throw this.refuse(`uses ${op.opcode} on two constants, which Graft cannot import yet.`);
    const [x, c] = this.isConstant(b) ? [a, b] : [b, a];
    const values = this.constant(c);
    const input = this.value(x, op);
    if (values.length === 1) return this.keras.layer('Rescaling', hint, add ? { scale: 1, offset: values[0] } : { scale: values[0], offset: 0 }, [input]);
    const shape = this.shape(x);
    const constantShape = this.model.tensors[c].shape;
    const channels = shape.at(-1);
    if (shape.length === 3 && constantShape.at(-1) === channels && constantShape.slice(0, -1).every((d) => d === 1)) {
      // One value per channel: a 1x1 depthwise convolution (weight, bias) = (c, 0) for MUL, (1, c) for ADD.
      const weights: LayerWeight[] = [{ name: 'depthwise_kernel', shape: [1, 1, channels!, 1], values: add ? new Float32Array(channels!).fill(1) : values }];
      if (add) weights.push({ name: 'bias', shape: [channels!], values });
      return this.keras.layer('DepthwiseConv2D', hint, { kernel_size: [1, 1], strides: [1, 1], padding: 'valid', depth_multiplier: 1, data_format: 'channels_last', activation: 'linear', use_bias: add }, [input], weights);
    }
    throw this.refuse(`uses ${op.opcode} with a constant of shape [${constantShape.join(', ')}] on a [${shape.join(', ')}] tensor, which Graft cannot import yet.`);
  }
}

export function tfliteToLayersModel(model: TfliteModel, graftScaling: PixelScaling): ConvertedTflite {
  return new Converter(model, graftScaling).convert();
}
