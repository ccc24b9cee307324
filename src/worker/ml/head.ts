/**
 * The classifier trained on top of a backbone's features: softmax regression, or one hidden
 * ReLU layer with dropout before it.
 */
import type { HeadConfig, SavedWeights } from '../../shared/modelWeights';
import { glorot, ParameterModel } from './parameterModel';
import { tf } from './tensorflow';

function initialWeights({ inputSize, classCount, hidden, seed }: HeadConfig): tf.Tensor[] {
  if (hidden === 0) return [glorot([inputSize, classCount], inputSize, classCount, seed), tf.zeros([classCount])];
  return [glorot([inputSize, hidden], inputSize, hidden, seed), tf.zeros([hidden]), glorot([hidden, classCount], hidden, classCount, seed + 1), tf.zeros([classCount])];
}

export class Head extends ParameterModel<HeadConfig> {
  constructor(config: HeadConfig, initial?: tf.Tensor[]) {
    super(config, initial ?? initialWeights(config));
  }

  logits(features: tf.Tensor, training: boolean, seed = 0): tf.Tensor2D {
    return tf.tidy(() => {
      let x = features as tf.Tensor2D;
      if (this.config.hidden > 0) {
        const [w1, b1] = this.variables;
        if (training && this.config.dropout > 0) x = tf.dropout(x, this.config.dropout, undefined, seed) as tf.Tensor2D;
        x = tf.relu(tf.add(tf.matMul(x, w1), b1)) as tf.Tensor2D;
      }
      const [w, b] = this.variables.slice(-2);
      return tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    });
  }

  static fromJSON(weights: SavedWeights<HeadConfig>): Head {
    return new Head(weights.config, weights.tensors.map((t) => tf.tensor(t.values, t.shape)));
  }
}
