// Which batch size runs the network fastest here: the exported classifier (MobileNetV1 0.75 +
// head) in onnxruntime with every core, on the same 480 decoded cats_and_dogs photos, at batch
// sizes 1 to 64. Graft's photo pipeline uses the one this prints as the best (FEATURE_BATCH).
// Usage: npm run build && node bench/batch.bench.mjs [--model exported-folder] [--dir /tmp/graft-batch]
// Prints numbers; asserts nothing. Run it on an idle machine.
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { exportedModel } from './exportedModel.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = path.resolve(arg('dir', '/tmp/graft-batch'));
fs.mkdirSync(dir, { recursive: true });
const env = { ...process.env, GRAFT_HOME: path.join(dir, 'home'), GRAFT_MODELS_DIR: process.env.GRAFT_MODELS_DIR ?? path.resolve(root, '..', 'shared', 'models') };
const model = exportedModel({ root, dir, env, given: arg('model', null) });

const photos = path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs', 'train', 'dogs');
const files = fs.readdirSync(photos).sort().slice(0, 480).map((f) => path.join(photos, f));
const pixels = await Promise.all(files.map((f) => sharp(f).rotate().resize(224, 224, { fit: 'cover' }).removeAlpha().raw().toBuffer()));
const session = await ort.InferenceSession.create(path.join(model, 'model.onnx'), { intraOpNumThreads: availableParallelism(), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
for (const batch of [1, 4, 8, 16, 32, 64]) {
  const run = async () => {
    for (let i = 0; i + batch <= pixels.length; i += batch) {
      const input = new Float32Array(batch * 224 * 224 * 3);
      for (let k = 0; k < batch; k++) input.set(pixels[i + k], k * 224 * 224 * 3);
      await session.run({ pixels: new ort.Tensor('float32', input, [batch, 224, 224, 3]) });
    }
  };
  await run(); // warm up at this shape
  const started = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`batch ${String(batch).padStart(2)}: ${(pixels.length / seconds).toFixed(1)} photos/s (${((1000 * seconds) / pixels.length).toFixed(2)} ms a photo, ${availableParallelism()} threads)`);
}
await session.release();
