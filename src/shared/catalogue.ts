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
  title: string;
  /** 'imported': a TensorFlow.js model the user imported from a folder. */
  family: 'MobileNetV1' | 'MobileNetV2' | 'imported';
  /** A layers model (Keras-style: features from a layer, convertible to ONNX, fine-tunable) or a graph model (features from a node). */
  format: 'layers' | 'graph';
  alpha: number | null;
  /** The published tfjs layers model (for an imported one, the folder it came from). */
  url: string;
  inputSize: number;
  /** How pixels in [0, 255] are scaled: to [-1, 1] (x / 127.5 - 1, as both MobileNet families were trained) or to [0, 1]. */
  preprocessing: Preprocessing;
  /** The layer whose output, averaged over space when it is 4-D, is the feature vector. */
  featureLayer: string;
  /** Features are global-average-pooled when the feature layer keeps its spatial grid. */
  pool: boolean;
  /** Fine-tuning trains the layers after this one (the top block); null: not offered. */
  fineTuneFrom: string | null;
  featureSize: number;
  licence: string;
}

export type Preprocessing = 'scale_-1_1' | 'scale_0_1';

/** What Graft trains on until the user picks another: fast, small, and strong on everyday photos. */
export const DEFAULT_BACKBONE = 'mobilenet_v1_0.75_224';

/** The preprocessing as x * scale + offset. */
export function pixelScaling(preprocessing: Preprocessing): { scale: number; offset: number } {
  return preprocessing === 'scale_0_1' ? { scale: 1 / 255, offset: 0 } : { scale: 1 / 127.5, offset: -1 };
}

function v1(alpha: string, featureSize: number): Backbone {
  return {
    id: `mobilenet_v1_${alpha}_224`,
    title: `MobileNetV1 ${alpha} (ImageNet)`,
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
    title: `MobileNetV2 ${alpha} (ImageNet, the base Teachable Machine uses)`,
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
