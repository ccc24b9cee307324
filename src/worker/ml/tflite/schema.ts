/**
 * Facts of TensorFlow Lite's schema (tensorflow/lite/schema/schema.fbs) that the reader needs:
 * enum values, and the field ids (declaration order) of the tables it reads.
 */

/** BuiltinOperator, by value: the names say which operator a model uses when Graft cannot import it. */
export const BUILTIN_OPERATORS: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE', 'EMBEDDING_LOOKUP',
  'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D', 'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION',
  'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR',
  'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH', 'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL',
  'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD', 'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE',
  'MEAN', 'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP',
  'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM',
  'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL',
  'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL',
  'NOT_EQUAL', 'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN',
  'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT',
  'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD',
  'RANGE', 'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE',
  'CEIL', 'REVERSE_V2', 'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU',
  'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE', 'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE',
  'NON_MAX_SUPPRESSION_V4', 'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL', 'PLACEHOLDER_FOR_GREATER_OP_CODES',
  'CUMSUM', 'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D', 'IMAG', 'REAL', 'COMPLEX_ABS',
  'HASHTABLE', 'HASHTABLE_FIND', 'HASHTABLE_IMPORT', 'HASHTABLE_SIZE', 'REDUCE_ALL', 'CONV_3D_TRANSPOSE', 'VAR_HANDLE', 'READ_VARIABLE',
  'ASSIGN_VARIABLE', 'BROADCAST_ARGS', 'RANDOM_STANDARD_NORMAL', 'BUCKETIZE', 'RANDOM_UNIFORM', 'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE',
  'RELU_0_TO_1', 'UNSORTED_SEGMENT_PROD', 'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2', 'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST',
  'BITWISE_XOR', 'RIGHT_SHIFT',
];

export function operatorName(code: number): string {
  return BUILTIN_OPERATORS[code] ?? `builtin operator ${code}`;
}

/** TensorType, by value. */
export const TENSOR_TYPES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8', 'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4'] as const;
export type TensorType = (typeof TENSOR_TYPES)[number];

export const PADDINGS = ['SAME', 'VALID'] as const;
export type Padding = (typeof PADDINGS)[number];

export const ACTIVATION_FUNCTIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type ActivationFunction = (typeof ACTIVATION_FUNCTIONS)[number];

/** The BuiltinOptions union's type values (its members' positions, from 1) of the options tables Graft reads. */
export const OPTIONS_TYPE = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
} as const;

/** Field ids (declaration order) of the fields Graft reads. A union takes two ids: its type, then its value. */
export const FIELDS = {
  Model: { operatorCodes: 1, subgraphs: 2, buffers: 4, metadata: 6 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, builtinCode: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, sparsity: 6 },
  QuantizationParameters: { scale: 2, zeroPoint: 3, quantizedDimension: 6 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Metadata: { name: 0, buffer: 1 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  DepthwiseConv2DOptions: { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterWidth: 3, filterHeight: 4, activation: 5 },
  FullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2 },
  SoftmaxOptions: { beta: 0 },
  /** AddOptions and MulOptions. */
  ActivationOptions: { activation: 0 },
  ReshapeOptions: { newShape: 0 },
  ReducerOptions: { keepDims: 0 },
} as const;

/** The metadata buffer's name, and what Graft reads of its schema (metadata_schema.fbs, file identifier "M001"). */
export const TFLITE_METADATA = 'TFLITE_METADATA';
export const METADATA_FIELDS = {
  ModelMetadata: { subgraphMetadata: 3 },
  SubGraphMetadata: { inputTensorMetadata: 2 },
  TensorMetadata: { processUnits: 4 },
  ProcessUnit: { optionsType: 0, options: 1 },
  NormalizationOptions: { mean: 0, std: 1 },
} as const;
/** ProcessUnitOptions' type value of NormalizationOptions. */
export const NORMALIZATION_OPTIONS = 1;
