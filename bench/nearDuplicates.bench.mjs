// The near-duplicate threshold (src/shared/nearDuplicates.ts), measured on real photos with the
// hash as Graft computes it at import (src/node/photos/decode.ts, bundled here by esbuild):
//   - every pair of different photos of the data set: how many bits apart (the threshold must
//     group none of them);
//   - each photo against copies of itself resized to 90 % and re-saved (quality 85), and at half
//     size, quality 60: how many bits apart (the threshold should catch them).
// Usage: node bench/nearDuplicates.bench.mjs [--dataset ../shared/datasets/cats_and_dogs]
// Prints numbers; asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import sharp from 'sharp';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dataset = path.resolve(arg('dataset', path.resolve(root, '..', 'shared', 'datasets', 'cats_and_dogs')));

// Bundled beside the dependencies it requires, not in dist/ (everything in dist/ ships in the app).
const bundle = path.join(root, 'node_modules', '.cache', 'graft-bench', 'near-duplicates.cjs');
await build({ stdin: { contents: "export { perceptualHash, uprightRgb, decodeSide } from './src/node/photos/decode';\nexport { hammingDistance, NEAR_DUPLICATE_BITS } from './src/shared/nearDuplicates';", resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'warning' });
const graft = createRequire(import.meta.url)(bundle);
const side = graft.decodeSide(224);
const hashOf = async (input) => graft.perceptualHash(await graft.uprightRgb(input, side));

const files = fs.readdirSync(dataset, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /\.(jpe?g|png)$/i.test(e.name)).map((e) => path.join(e.parentPath, e.name)).sort();
const started = Date.now();
const hashes = [];
const copyDistances = { '90 %, quality 85': [], '50 %, quality 60': [] };
let flat = 0;
for (const file of files) {
  const hash = await hashOf(file);
  if (!hash) {
    flat++;
    continue;
  }
  hashes.push(hash);
  const { width } = await sharp(file).metadata();
  const copies = {
    '90 %, quality 85': await sharp(file).resize(Math.round(width * 0.9)).jpeg({ quality: 85 }).toBuffer(),
    '50 %, quality 60': await sharp(file).resize(Math.round(width * 0.5)).jpeg({ quality: 60 }).toBuffer(),
  };
  for (const [name, bytes] of Object.entries(copies)) {
    const copyHash = await hashOf(bytes);
    if (copyHash) copyDistances[name].push(graft.hammingDistance(hash, copyHash));
  }
}

const pairs = new Array(65).fill(0);
for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) pairs[graft.hammingDistance(hashes[i], hashes[j])]++;
const threshold = graft.NEAR_DUPLICATE_BITS;
console.log(`${files.length} photos of ${path.basename(dataset)} (${flat} without structure, not hashed), ${((Date.now() - started) / 1000).toFixed(1)} s; threshold ${threshold} bits`);
console.log(`pairs of different files by distance, 0–12 bits: ${pairs.slice(0, 13).map((n, bits) => `${bits}:${n}`).join(' ')}`);
console.log(`  within the threshold: ${pairs.slice(0, threshold + 1).reduce((a, b) => a + b, 0)} of ${pairs.reduce((a, b) => a + b, 0)} pairs (pairs at 0–1 bits are usually the same photo twice in the data set)`);
for (const [name, distances] of Object.entries(copyDistances)) {
  const within = distances.filter((d) => d <= threshold).length;
  const histogram = new Array(13).fill(0);
  for (const d of distances) histogram[Math.min(d, 12)]++;
  console.log(`copies ${name}: ${((100 * within) / distances.length).toFixed(1)} % within the threshold; by distance 0–12+: ${histogram.join(' ')}`);
}
