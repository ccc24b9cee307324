/**
 * TensorFlow.js for the main side's workers: tfjs-node (native TensorFlow) when it is installed,
 * otherwise the WebAssembly backend. tfjs falls back silently to its very slow `cpu` backend when
 * a backend fails to start, so the backend really in use is always reported to the user.
 */
import * as tf from './tfjsApi';
// Gradients and chained tensor methods (x.reshape(…)) are registered by these two side-effect
// modules of tfjs-core, which its main bundle leaves out (the @tensorflow/tfjs umbrella carried
// them). They are ES modules: scripts/build.mjs bundles them into the worker, and they register
// into tfjs-core's global registries, as the umbrella's copy did.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
// The cpu backend is tfjs's reference (wasmGradients is checked against it); wasm is the fast one.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';

export { tf };

export interface BackendInfo {
  name: string;
  /** Said to the user when the backend is not the fast one they would expect. */
  warning: string | null;
}

let ready: Promise<BackendInfo> | undefined;

export function initTensorflow(): Promise<BackendInfo> {
  ready ??= (async () => {
    // Optional native TensorFlow: the GPU build where the user installed it, else the CPU build
    // (an optional dependency, absent where its library cannot be downloaded), else WebAssembly.
    const require = createRequire(__filename);
    for (const native of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        require(native);
        break;
      } catch {
        // not installed here
      }
    }
    for (const name of ['tensorflow', 'wasm']) {
      if (tf.findBackendFactory(name) && (await tf.setBackend(name).catch(() => false))) break;
    }
    await tf.ready();
    const name = tf.getBackend();
    const warning = name === 'cpu' ? 'TensorFlow.js is running on its slow "cpu" backend: neither tfjs-node nor WebAssembly could start.' : null;
    return { name, warning };
  })();
  return ready;
}
