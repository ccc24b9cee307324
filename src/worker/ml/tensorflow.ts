/**
 * TensorFlow.js for the main side's workers: tfjs-node (native TensorFlow) when it is installed,
 * otherwise the WebAssembly backend. tfjs falls back silently to its very slow `cpu` backend when
 * a backend fails to start, so the backend really in use is always reported to the user.
 */
import * as tf from '@tensorflow/tfjs';
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
