/**
 * Downloads a backbone into the models folder: model.json, then every weight file it lists, with
 * progress in bytes. Each file is checked against the SHA-256 the catalogue records for it (or,
 * where it records none, the weights' total size against what the manifest declares); the
 * licence is saved beside the weights; and the folder appears only when complete (written aside,
 * then renamed), so an interrupted or corrupt download never looks like a usable model.
 * GRAFT_MODEL_MIRROR serves `<mirror>/<backbone id>/model.json` instead of the official address
 * (offline mirrors, tests). A backbone the catalogue lists as a TensorFlow Lite file is fetched and
 * converted instead (downloadTflite.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { findBackbone, publishedChecksums, TFLITE_BACKBONES, type Backbone } from '../../shared/catalogue';
import type { DownloadResult } from '../../shared/api/training';
import { backboneFolder, modelsDir } from '../../node/models/modelStore';
import type { JobContext } from '../../shared/jobs/jobContext';
import { cannotDownload, fetchBytes, licenceText, mirrored } from './modelDownload';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

interface Manifest {
  weightsManifest: { paths: string[]; weights: { shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
}

function expectedBytes(manifest: Manifest): number {
  return manifest.weightsManifest
    .flatMap((group) => group.weights)
    .reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.quantization?.dtype ?? w.dtype] ?? 4), 0);
}

/** A model.json is a few hundred kilobytes at most. */
const MAX_MANIFEST_BYTES = 16 << 20;

/** Checks a downloaded file against the catalogue's record of it; says which file is damaged and how. */
function checkFile(backbone: Backbone, name: string, bytes: Buffer, checksums: ReturnType<typeof publishedChecksums>): void {
  const expected = checksums?.[name];
  if (!checksums) return;
  if (!expected) throw new Error(`The download of ${backbone.id} lists a file the catalogue does not know (${name}): it is not the published model.`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== expected.bytes || sha256 !== expected.sha256) {
    throw new Error(`The download of ${backbone.id} is damaged: ${name} has ${bytes.length} bytes and SHA-256 ${sha256.slice(0, 12)}…, where the published file has ${expected.bytes} bytes and ${expected.sha256.slice(0, 12)}….`);
  }
}

export async function downloadBackbone(params: { backbone: string }, context: JobContext): Promise<DownloadResult> {
  const tflite = TFLITE_BACKBONES.find((b) => b.id === params.backbone.trim());
  // Loaded only for a TFLite backbone: converting one needs TensorFlow.js.
  if (tflite) return (await import('./downloadTflite')).downloadTfliteBackbone(tflite, context);
  const backbone = findBackbone(params.backbone);
  if (!backbone) throw new Error(`Unknown backbone “${params.backbone}”: graft backbones lists those Graft can download.`);
  const modelUrl = mirrored(`${backbone.id}/model.json`) ?? backbone.url;
  const target = backboneFolder(backbone);
  if (fs.existsSync(path.join(target, 'model.json'))) return { backbone: backbone.id, folder: target, bytes: 0, alreadyPresent: true, verifiedBy: null, licence: backbone.licence };

  const partial = path.join(modelsDir(), `.${backbone.id}.partial-${process.pid}`);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  try {
    context.progress(0, null, 'bytes', `Fetching ${modelUrl}`);
    let manifestBytes: Buffer;
    try {
      manifestBytes = await fetchBytes(modelUrl, context.signal, MAX_MANIFEST_BYTES);
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw cannotDownload(`${backbone.title} (${backbone.id})`, modelUrl, target, error);
    }
    const checksums = publishedChecksums(backbone.id);
    checkFile(backbone, 'model.json', manifestBytes, checksums);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    const total = expectedBytes(manifest);
    fs.writeFileSync(path.join(partial, 'model.json'), manifestBytes);
    let done = 0;
    for (const file of manifest.weightsManifest.flatMap((group) => group.paths)) {
      context.signal.throwIfAborted();
      const bytes = await fetchBytes(new URL(file, modelUrl).toString(), context.signal, total - done, (received) => context.progress(done + received, total, 'bytes', `Downloading ${backbone.title}`));
      checkFile(backbone, path.basename(file), bytes, checksums);
      fs.writeFileSync(path.join(partial, path.basename(file)), bytes);
      done += bytes.length;
      context.progress(done, total, 'bytes', `Downloading ${backbone.title}`);
    }
    if (done !== total) throw new Error(`The download of ${backbone.id} is damaged: ${done} bytes of weights where the model declares ${total}.`);
    fs.writeFileSync(path.join(partial, 'LICENSE.txt'), licenceText(backbone.title, backbone.licence, modelUrl));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(partial, target);
    return { backbone: backbone.id, folder: target, bytes: done + manifestBytes.length, alreadyPresent: false, verifiedBy: checksums ? 'sha256' : 'size', licence: backbone.licence };
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}
