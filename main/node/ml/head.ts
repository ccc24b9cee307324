/**
 * The classifier trained on top of a backbone's features: softmax regression, or one hidden
 * ReLU layer with dropout before it. Plain variables, not a tf.LayersModel: a hand-written loop
 * over cached features trains it many times faster than model.fit on the wasm backend.
 */
import { tf } from './tensorflow';

export interface HeadConfig {
  inputSize: number;
  classCount: number;
  /** Units of the hidden layer; 0 for none. */
  hidden: number;
  dropout: number;
  seed: number;
}

export interface HeadWeights {
  config: HeadConfig;
  /** Each variable's shape and values, in order. */
  tensors: { shape: number[]; values: number[] }[];
}

function glorot(shape: [number, number], seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

export class Head {
  readonly variables: tf.Variable[];

  constructor(readonly config: HeadConfig, initial?: tf.Tensor[]) {
    const { inputSize, classCount, hidden, seed } = config;
    const shapes: ([number, number] | [number])[] = hidden > 0 ? [[inputSize, hidden], [hidden], [hidden, classCount], [classCount]] : [[inputSize, classCount], [classCount]];
    this.variables = shapes.map((shape, i) => {
      const value = initial?.[i] ?? (shape.length === 2 ? glorot(shape, seed + i) : tf.zeros(shape));
      return tf.variable(value, true, `head_${i}_${Math.random().toString(36).slice(2)}`);
    });
  }

  /** Logits for a batch of feature vectors; dropout applies only while training (seeded, for reproducible runs). */
  logits(features: tf.Tensor2D, training: boolean, dropoutSeed = 0): tf.Tensor2D {
    return tf.tidy(() => {
      let x = features;
      if (this.config.hidden > 0) {
        const [w1, b1] = this.variables;
        if (training && this.config.dropout > 0) x = tf.dropout(x, this.config.dropout, undefined, dropoutSeed) as tf.Tensor2D;
        x = tf.relu(tf.add(tf.matMul(x, w1), b1)) as tf.Tensor2D;
      }
      const [w, b] = this.variables.slice(-2);
      return tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    });
  }

  predict(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.logits(features, false)));
  }

  snapshot(): tf.Tensor[] {
    return this.variables.map((v) => v.clone());
  }

  restore(values: tf.Tensor[]): void {
    this.variables.forEach((v, i) => v.assign(values[i]));
  }

  async toJSON(): Promise<HeadWeights> {
    const tensors = await Promise.all(this.variables.map(async (v) => ({ shape: v.shape, values: Array.from(await v.data()) })));
    return { config: this.config, tensors };
  }

  static fromJSON(weights: HeadWeights): Head {
    return new Head(weights.config, weights.tensors.map((t) => tf.tensor(t.values, t.shape)));
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
