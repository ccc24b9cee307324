/** Trained weights as they are stored in a project and carried between processes (plain JSON). */

/** The head on the backbone's features: softmax regression, or one hidden ReLU layer before it. */
export interface HeadConfig {
  inputSize: number;
  classCount: number;
  /** Units of the hidden layer; 0 for none. */
  hidden: number;
  dropout: number;
  seed: number;
}

export interface SavedWeights<Config> {
  config: Config;
  /** Each variable's shape and values, in order. */
  tensors: { shape: number[]; values: number[] }[];
}

export type HeadWeights = SavedWeights<HeadConfig>;

/** Fine-tuned layers' weights, by layer name, in each layer's own weight order (for layer.setWeights). */
export type LayerWeights = Record<string, { shape: number[]; values: number[] }[]>;
