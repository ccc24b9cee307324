/**
 * The builtin options of the operators Graft converts, decoded with the schema's defaults when a
 * model leaves them out, and checked: an options table of the wrong kind, or a value outside its
 * enum, is reported as damage naming the file and the operator.
 */
import type { FlatTable } from './flatTable';
import { ACTIVATION_FUNCTIONS, FIELDS, OPTIONS_TYPE, PADDINGS, type ActivationFunction, type Padding } from './schema';
import { tfliteError, type TfliteModel, type TfliteOperator } from './tfliteModel';

export interface WindowOptions {
  padding: Padding;
  /** [height, width] */
  strides: [number, number];
  activation: ActivationFunction;
}

export interface ConvOptions extends WindowOptions {
  dilations: [number, number];
}

export interface PoolOptions extends WindowOptions {
  filter: [number, number];
}

function optionsOf(model: TfliteModel, op: TfliteOperator, kind: keyof typeof OPTIONS_TYPE): FlatTable | null {
  if (!op.options) return null;
  if (op.optionsType !== OPTIONS_TYPE[kind]) throw tfliteError(model.file, `is damaged: its ${op.opcode} operator (number ${op.index}) carries options of type ${op.optionsType} instead of ${kind}.`);
  return op.options;
}

function enumValue<T>(model: TfliteModel, op: TfliteOperator, values: readonly T[], value: number, what: string): T {
  const name = values[value];
  if (name === undefined) throw tfliteError(model.file, `is damaged: its ${op.opcode} operator (number ${op.index}) has an unknown ${what} ${value}.`);
  return name;
}

function positive(model: TfliteModel, op: TfliteOperator, values: [number, number], what: string): [number, number] {
  if (values.some((v) => !(v >= 1))) throw tfliteError(model.file, `is damaged: its ${op.opcode} operator (number ${op.index}) has ${what} ${values.join('x')}.`);
  return values;
}

export function convOptions(model: TfliteModel, op: TfliteOperator): ConvOptions {
  const depthwise = op.opcode === 'DEPTHWISE_CONV_2D';
  const table = optionsOf(model, op, depthwise ? 'DepthwiseConv2DOptions' : 'Conv2DOptions');
  const f = depthwise ? FIELDS.DepthwiseConv2DOptions : FIELDS.Conv2DOptions;
  return {
    padding: enumValue(model, op, PADDINGS, table?.int8(f.padding) ?? 0, 'padding'),
    strides: positive(model, op, [table?.int32(f.strideH) ?? 0, table?.int32(f.strideW) ?? 0], 'strides'),
    dilations: positive(model, op, [table?.int32(f.dilationH, 1) ?? 1, table?.int32(f.dilationW, 1) ?? 1], 'dilations'),
    activation: enumValue(model, op, ACTIVATION_FUNCTIONS, table?.int8(f.activation) ?? 0, 'activation'),
  };
}

export function poolOptions(model: TfliteModel, op: TfliteOperator): PoolOptions {
  const table = optionsOf(model, op, 'Pool2DOptions');
  const f = FIELDS.Pool2DOptions;
  return {
    padding: enumValue(model, op, PADDINGS, table?.int8(f.padding) ?? 0, 'padding'),
    strides: positive(model, op, [table?.int32(f.strideH) ?? 0, table?.int32(f.strideW) ?? 0], 'strides'),
    filter: positive(model, op, [table?.int32(f.filterHeight) ?? 0, table?.int32(f.filterWidth) ?? 0], 'pooling window'),
    activation: enumValue(model, op, ACTIVATION_FUNCTIONS, table?.int8(f.activation) ?? 0, 'activation'),
  };
}

export function fullyConnectedOptions(model: TfliteModel, op: TfliteOperator): { activation: ActivationFunction; shuffledWeights: boolean; keepNumDims: boolean } {
  const table = optionsOf(model, op, 'FullyConnectedOptions');
  const f = FIELDS.FullyConnectedOptions;
  return {
    activation: enumValue(model, op, ACTIVATION_FUNCTIONS, table?.int8(f.activation) ?? 0, 'activation'),
    shuffledWeights: (table?.int8(f.weightsFormat) ?? 0) !== 0,
    keepNumDims: table?.bool(f.keepNumDims) ?? false,
  };
}

/** ADD and MUL: only a fused activation. */
export function fusedActivation(model: TfliteModel, op: TfliteOperator): ActivationFunction {
  const table = optionsOf(model, op, op.opcode === 'MUL' ? 'MulOptions' : 'AddOptions');
  return enumValue(model, op, ACTIVATION_FUNCTIONS, table?.int8(FIELDS.ActivationOptions.activation) ?? 0, 'activation');
}

/** SOFTMAX computes softmax(beta · x). */
export function softmaxBeta(model: TfliteModel, op: TfliteOperator): number {
  return optionsOf(model, op, 'SoftmaxOptions')?.float32(FIELDS.SoftmaxOptions.beta) ?? 0;
}

/** MEAN keeps the reduced axes (as size 1) or drops them. */
export function keepDims(model: TfliteModel, op: TfliteOperator): boolean {
  return optionsOf(model, op, 'ReducerOptions')?.bool(FIELDS.ReducerOptions.keepDims) ?? false;
}
