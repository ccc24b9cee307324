/**
 * What the training loop trains: a set of variables and a function from a batch to logits.
 * Plain variables rather than tf.LayersModel: a hand-written loop trains many times faster than
 * model.fit on the wasm backend.
 */
import type { SavedWeights } from '../../shared/modelWeights';
import { tf } from './tensorflow';

export abstract class ParameterModel<Config> {
  readonly variables: tf.Variable[];

  protected constructor(
    readonly config: Config,
    initial: tf.Tensor[],
  ) {
    this.variables = initial.map((value) => tf.variable(value, true));
  }

  /** Logits for a batch; dropout and the like apply only while training (seeded, for reproducible runs). */
  abstract logits(batch: tf.Tensor, training: boolean, seed?: number): tf.Tensor2D;

  /** Class probabilities for every row, computed in chunks so that a CNN's activations stay small. */
  async predict(rows: tf.Tensor, chunk = 128): Promise<number[][]> {
    const probabilities: number[][] = [];
    for (let start = 0; start < rows.shape[0]!; start += chunk) {
      const size = Math.min(chunk, rows.shape[0]! - start);
      const p = tf.tidy(() => tf.softmax(this.logits(tf.slice(rows, start, size), false)));
      probabilities.push(...((await p.array()) as number[][]));
      p.dispose();
    }
    return probabilities;
  }

  snapshot(): tf.Tensor[] {
    return this.variables.map((v) => v.clone());
  }

  restore(values: tf.Tensor[]): void {
    this.variables.forEach((v, i) => v.assign(values[i]));
  }

  async toJSON(): Promise<SavedWeights<Config>> {
    const tensors = await Promise.all(this.variables.map(async (v) => ({ shape: v.shape, values: Array.from(await v.data()) })));
    return { config: this.config, tensors };
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Glorot-uniform initial weights for a kernel with the given fan-in and fan-out. */
export function glorot(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}
