/**
 * The from-scratch baseline of the transfer-learning comparison: a small VGG-style CNN
 * (3x3 stride-1 convolutions, ReLU, 2x2 max-pooling, global average pooling, softmax), trained
 * on the same photos and splits as the transfer models. Stride-1 convolutions and pooling are
 * what the wasm backend can train (see wasmGradients.ts).
 */
import { glorot, ParameterModel } from './parameterModel';
import { tf } from './tensorflow';

export interface ScratchCnnConfig {
  inputSize: number;
  classCount: number;
  /** Filters of each convolution block. */
  filters: number[];
  dropout: number;
  seed: number;
}

export const SCRATCH_INPUT_SIZE = 64;
export const SCRATCH_FILTERS = [16, 32, 64, 64];

function initialWeights({ filters, classCount, seed }: ScratchCnnConfig): tf.Tensor[] {
  const weights: tf.Tensor[] = [];
  let channels = 3;
  filters.forEach((n, i) => {
    weights.push(glorot([3, 3, channels, n], 9 * channels, 9 * n, seed + i), tf.zeros([n]));
    channels = n;
  });
  weights.push(glorot([channels, classCount], channels, classCount, seed + filters.length), tf.zeros([classCount]));
  return weights;
}

export class ScratchCnn extends ParameterModel<ScratchCnnConfig> {
  constructor(config: ScratchCnnConfig, initial?: tf.Tensor[]) {
    super(config, initial ?? initialWeights(config));
  }

  /** `images`: [batch, size, size, 3] with values in [-1, 1]. */
  logits(images: tf.Tensor, training: boolean, seed = 0): tf.Tensor2D {
    return tf.tidy(() => {
      let x = images as tf.Tensor4D;
      const blocks = this.config.filters.length;
      for (let i = 0; i < blocks; i++) {
        const [kernel, bias] = [this.variables[2 * i] as tf.Variable<tf.Rank.R4>, this.variables[2 * i + 1]];
        x = tf.relu(tf.add(tf.conv2d(x, kernel, 1, 'same'), bias)) as tf.Tensor4D;
        if (i < blocks - 1) x = tf.maxPool(x, 2, 2, 'valid');
      }
      let pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      if (training && this.config.dropout > 0) pooled = tf.dropout(pooled, this.config.dropout, undefined, seed) as tf.Tensor2D;
      const [w, b] = this.variables.slice(-2);
      return tf.add(tf.matMul(pooled, w), b) as tf.Tensor2D;
    });
  }
}

/** Training-time augmentation: random horizontal flips and brightness shifts, seeded. */
export function augmentImages(images: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const batch = images.shape[0]!;
    const flip = tf.less(tf.randomUniform([batch, 1, 1, 1], 0, 1, 'float32', seed), 0.5);
    const flipped = tf.where(flip, tf.image.flipLeftRight(images as tf.Tensor4D), images);
    const brightness = tf.randomUniform([batch, 1, 1, 1], -0.2, 0.2, 'float32', seed + 1);
    return tf.clipByValue(tf.add(flipped, brightness), -1, 1);
  });
}
