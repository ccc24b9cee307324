/**
 * The TensorFlow.js API Graft uses: core, layers and converter, as the `@tensorflow/tfjs`
 * umbrella re-exports them, without the umbrella itself, which also loads the WebGL backend and
 * tfjs-data (neither runs in a Node worker; together with their source maps they were most of the
 * installer's size). Backends are registered in tensorflow.ts.
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-converter';
