/**
 * The pretrained backbones Graft knows: where each is published, how to feed it, which layer
 * gives the features the classifier is trained on, and its licence. Weights are never in this
 * repository: they live in the models folder (`GRAFT_MODELS_DIR`, or `models/` in the user's
 * data folder), one sub-folder per backbone named by its id, laid out as published
 * (model.json beside its weight files).
 */
import CHECKSUMS from './catalogueChecksums.json';

export interface Backbone {
  id: string;
  /** What people read: short, plain and distinct from every other title (the technical facts are in `technicalDetail`). */
  title: string;
  /** 'imported': a model the user imported (TensorFlow.js, TensorFlow Lite or ONNX). */
  family: 'MobileNetV1' | 'MobileNetV2' | 'imported';
  /**
   * A layers model (Keras-style: features from a layer, convertible to ONNX, fine-tunable), a graph
   * model (features from a node), or an imported ONNX model: `model.onnx` from pixels (NHWC, 0–255,
   * the preprocessing inside) to its features, run by onnxruntime.
   */
  format: 'layers' | 'graph' | 'onnx';
  alpha: number | null;
  /** The published tfjs layers model (for an imported one, the folder it came from). */
  url: string;
  inputSize: number;
  /** How pixels in [0, 255] are scaled: to [-1, 1] (x / 127.5 - 1, as both MobileNet families were trained), to [0, 1], not at all, or with ImageNet's mean and std (PREPROCESSINGS). */
  preprocessing: Preprocessing;
  /** The layer (a graph model's node, an ONNX model's value) whose output, averaged over space when it is 4-D, is the feature vector. */
  featureLayer: string;
  /** Features are global-average-pooled when the feature layer keeps its spatial grid. */
  pool: boolean;
  /** Fine-tuning trains the layers after this one (the top block); null: not offered. */
  fineTuneFrom: string | null;
  featureSize: number;
  licence: string;
}

/**
 * How a network expects pixels: scaled to [-1, 1], to [0, 1], left in [0, 255], or normalised
 * per channel with ImageNet's mean and standard deviation, (x / 255 − mean) / std, as torchvision
 * and most PyTorch image models expect.
 */
export const PREPROCESSINGS = ['scale_-1_1', 'scale_0_1', 'scale_0_255', 'imagenet'] as const;
export type Preprocessing = (typeof PREPROCESSINGS)[number];

/** ImageNet's mean and standard deviation per channel (R, G, B) of pixels in [0, 1], as torchvision normalises them. */
export const IMAGENET_MEAN: RGB = [0.485, 0.456, 0.406];
export const IMAGENET_STD: RGB = [0.229, 0.224, 0.225];

/** What Graft trains on until the user picks another: fast, small, and strong on everyday photos. */
export const DEFAULT_BACKBONE = 'mobilenet_v1_0.75_224';

export type RGB = [number, number, number];

/** Pixels x in [0, 255] to what a network takes: x · scale + offset, one value for all channels or one per channel (R, G, B). */
export interface PixelScaling {
  scale: number | RGB;
  offset: number | RGB;
}

/** The preprocessing as x · scale + offset: single numbers where every channel is scaled alike. */
export function pixelScaling(preprocessing: Preprocessing): PixelScaling {
  switch (preprocessing) {
    case 'scale_-1_1':
      return { scale: 1 / 127.5, offset: -1 };
    case 'scale_0_1':
      return { scale: 1 / 255, offset: 0 };
    case 'scale_0_255':
      return { scale: 1, offset: 0 };
    case 'imagenet':
      // (x / 255 − mean) / std = x · 1 / (255 · std) − mean / std
      return { scale: perChannel((c) => 1 / (255 * IMAGENET_STD[c])), offset: perChannel((c) => -IMAGENET_MEAN[c] / IMAGENET_STD[c]) };
  }
}

function perChannel(value: (channel: number) => number): RGB {
  return [value(0), value(1), value(2)];
}

/** One value per channel, whether given once or per channel. */
export function channelValues(value: number | RGB): RGB {
  return typeof value === 'number' ? [value, value, value] : value;
}

/** The preprocessing in words, for READMEs and messages. */
export function describePreprocessing(preprocessing: Preprocessing): string {
  switch (preprocessing) {
    case 'scale_-1_1':
      return 'x / 127.5 − 1';
    case 'scale_0_1':
      return 'x / 255';
    case 'scale_0_255':
      return 'x as it is (0–255)';
    case 'imagenet':
      return `(x / 255 − mean) / std per channel, with ImageNet's mean (${IMAGENET_MEAN.join(', ')}) and std (${IMAGENET_STD.join(', ')})`;
  }
}

function v1(alpha: string, featureSize: number): Backbone {
  return {
    id: `mobilenet_v1_${alpha}_224`,
    title: `MobileNetV1 ${alpha}`,
    family: 'MobileNetV1',
    format: 'layers',
    alpha: Number(alpha),
    url: `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${alpha}_224/model.json`,
    inputSize: 224,
    preprocessing: 'scale_-1_1',
    featureLayer: 'global_average_pooling2d_1',
    pool: false,
    fineTuneFrom: 'conv_pw_12_relu',
    featureSize,
    licence: 'Apache-2.0',
  };
}

function v2(alpha: string): Backbone {
  return {
    id: `mobilenet_v2_${alpha}_224`,
    title: `MobileNetV2 ${alpha}`,
    family: 'MobileNetV2',
    format: 'layers',
    alpha: Number(alpha),
    url: `https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${Number(alpha).toFixed(2)}_224_no_top/model.json`,
    inputSize: 224,
    preprocessing: 'scale_-1_1',
    featureLayer: 'out_relu',
    pool: true,
    fineTuneFrom: 'block_15_add',
    featureSize: 1280,
    licence: 'Apache-2.0',
  };
}

export const BACKBONES: readonly Backbone[] = [v1('0.25', 256), v1('0.50', 512), v1('0.75', 768), v1('1.0', 1024), v2('0.35'), v2('0.50'), v2('0.75'), v2('1.0')];

/** The technical facts behind a backbone's plain title — what it is, what it learned from, who publishes it — for a detail line; its id last. */
export function technicalDetail(backbone: Pick<Backbone, 'id' | 'family' | 'alpha' | 'url'>): string {
  const tflite = TFLITE_BACKBONES.find((b) => b.id === backbone.id);
  if (tflite) return `${tflite.detail} (${backbone.id})`;
  switch (backbone.family) {
    case 'MobileNetV1':
      return `MobileNetV1, width ${backbone.alpha}, trained on ImageNet; a TensorFlow.js model published by Google, full precision (float32) (${backbone.id})`;
    case 'MobileNetV2':
      return `MobileNetV2, width ${backbone.alpha}, trained on ImageNet, the base Teachable Machine uses; a TensorFlow.js model published by Google, full precision (float32) (${backbone.id})`;
    case 'imported':
      return `Imported from ${backbone.url} (${backbone.id})`;
  }
}

/** Finds a backbone by id, with or without the input size and in any spelling of alpha (`mobilenet_v1_0.5`). */
export function findBackbone(name: string): Backbone | undefined {
  const match = /^mobilenet_v([12])_([\d.]+?)(?:_224)?$/.exec(name.trim().toLowerCase());
  if (!match) return undefined;
  const family = match[1] === '1' ? 'MobileNetV1' : 'MobileNetV2';
  return BACKBONES.find((b) => b.family === family && b.alpha === Number(match[2]));
}

/**
 * SHA-256 and size of each published file of a backbone, where Graft has recorded them (from a
 * copy of the files as published); a download is checked against them. Entries without them are
 * checked by the sizes their model.json declares.
 */
export function publishedChecksums(backboneId: string): Record<string, { bytes: number; sha256: string }> | null {
  return (CHECKSUMS as Record<string, Record<string, { bytes: number; sha256: string }>>)[backboneId] ?? null;
}

/** Where a licence's text is published, for the LICENSE file saved beside downloaded weights. */
export function licenceUrl(licence: string): string | null {
  return licence === 'Apache-2.0' ? 'https://www.apache.org/licenses/LICENSE-2.0' : null;
}

/** A backbone's file as its publisher serves it, for models published as TensorFlow Lite. */
export interface TfliteSource {
  format: 'tflite';
  url: string;
  /** Size and SHA-256 of the exact file where Graft has checked one; null where it has not (yet). */
  bytes: number | null;
  sha256: string | null;
}

/**
 * A backbone published as a TensorFlow Lite file. Getting it means fetching `source`, checking it,
 * and importing it as `graft backbones --import file.tflite` does (main/node/ml/tflite/), which
 * reads the input size and finds the feature layer in the file. Listed apart from BACKBONES,
 * whose downloads fetch TensorFlow.js models as they are.
 */
export interface TfliteBackbone {
  id: string;
  /** What people read: short, plain and distinct from every other title. */
  title: string;
  /** The technical facts behind the title (how it was made smaller, who publishes it), for a detail line. */
  detail: string;
  /** The publisher's page about the model. */
  documentation: string;
  source: TfliteSource;
  inputSize: number;
  /** The feature vector's length where Graft has imported the file; null where it has not. */
  featureSize: number | null;
  /** How pixels are scaled if the file does not say (a float input without normalisation metadata). */
  preprocessing: Preprocessing;
  licence: string;
}

/** google-coral/test_data at the commit Graft's tests use: Coral's TFLite conversions of Google's MobileNets (Apache-2.0). */
const CORAL_TEST_DATA = 'https://github.com/google-coral/test_data/raw/104342d2d3480b3e66203073dac24f4e2dbb4c41';

function coral(id: string, file: string, title: string, detail: string, bytes: number, sha256: string, featureSize: number): TfliteBackbone {
  return {
    id,
    title,
    detail: `${detail}; a TensorFlow Lite file published by Google Coral`,
    documentation: 'https://github.com/google-coral/test_data',
    source: { format: 'tflite', url: `${CORAL_TEST_DATA}/${file}`, bytes, sha256 },
    inputSize: 224,
    featureSize,
    // Their inputs are uint8: the file's quantization says how pixels map.
    preprocessing: 'scale_-1_1',
    licence: 'Apache-2.0',
  };
}

/** MediaPipe's image embedders (float32, version 1 pinned rather than “latest”). */
function mediapipeEmbedder(size: 'small' | 'large'): TfliteBackbone {
  return {
    id: `mediapipe_mobilenet_v3_${size}_embedder`,
    title: `MobileNetV3 ${size}`,
    detail: `MobileNetV3 ${size} image embedder, float32, trained on ImageNet; a TensorFlow Lite file published by Google's MediaPipe`,
    documentation: 'https://ai.google.dev/edge/mediapipe/solutions/vision/image_embedder',
    source: { format: 'tflite', url: `https://storage.googleapis.com/mediapipe-models/image_embedder/mobilenet_v3_${size}/float32/1/mobilenet_v3_${size}.tflite`, bytes: null, sha256: null },
    inputSize: 224,
    featureSize: null,
    // A guess, used only if the file has no normalisation metadata: Graft has not had these files to check.
    preprocessing: 'scale_0_1',
    licence: 'Apache-2.0',
  };
}

export const TFLITE_BACKBONES: readonly TfliteBackbone[] = [
  coral('coral_mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_quant.tflite', 'MobileNetV2 1.0 (Coral, compact, older)', 'MobileNetV2 1.0 trained on ImageNet with TensorFlow 1, uint8 quantization-aware trained', 3610798, '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776', 1280),
  coral('coral_tf2_mobilenet_v2_1.0_224_ptq', 'tf2_mobilenet_v2_1.0_224_ptq.tflite', 'MobileNetV2 1.0 (Coral, compact)', 'MobileNetV2 1.0 trained on ImageNet with TensorFlow 2, int8 post-training quantized', 4070174, '5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c', 1280),
  coral('coral_mobilenet_v1_1.0_224_quant_embedding_extractor', 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite', 'MobileNetV1 1.0 (Coral, compact)', 'MobileNetV1 1.0 embedding extractor trained on ImageNet, uint8 quantized', 3251736, 'f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319', 1024),
  {
    id: 'efficientnet_lite0_int8',
    title: 'EfficientNet-Lite0',
    detail: 'EfficientNet-Lite0 trained on ImageNet, int8 quantized; a TensorFlow Lite file published on TensorFlow Hub',
    documentation: 'https://tfhub.dev/tensorflow/lite-model/efficientnet/lite0/int8/2',
    source: { format: 'tflite', url: 'https://tfhub.dev/tensorflow/lite-model/efficientnet/lite0/int8/2?lite-format=tflite', bytes: null, sha256: null },
    inputSize: 224,
    featureSize: null,
    preprocessing: 'scale_-1_1',
    licence: 'Apache-2.0',
  },
  mediapipeEmbedder('small'),
  mediapipeEmbedder('large'),
];
