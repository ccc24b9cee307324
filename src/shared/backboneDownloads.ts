/**
 * What downloading a backbone of the catalogue takes and how it was checked, in the Train view's
 * offer, its notification and `graft backbones`. The size is exact where Graft has recorded the
 * published files (the checksums of MobileNetV1 0.75, the TFLite files' sizes), otherwise
 * estimated from the network's parameter count — float32 weights take 4 bytes each, int8 ones 1 —
 * and said to be approximate.
 */
import { findBackbone, publishedChecksums, TFLITE_BACKBONES } from './catalogue';
import type { DownloadResult } from './api/training';
import { formatAmount } from './progress';

export interface DownloadSize {
  bytes: number;
  /** True when the bytes are those of the published files; false for an estimate from the parameter count. */
  exact: boolean;
}

/**
 * Parameters of the networks as published (MobileNetV1 with its ImageNet head, as the tfjs
 * models are; MobileNetV2 without it, as Teachable Machine's are — the Keras applications'
 * tables; EfficientNet-Lite0 from its authors' table), and the bytes each takes in the download.
 */
const PARAMETERS: Record<string, { parameters: number; bytesEach: number }> = {
  'mobilenet_v1_0.25_224': { parameters: 0.47e6, bytesEach: 4 },
  'mobilenet_v1_0.50_224': { parameters: 1.34e6, bytesEach: 4 },
  'mobilenet_v1_0.75_224': { parameters: 2.6e6, bytesEach: 4 },
  'mobilenet_v1_1.0_224': { parameters: 4.2e6, bytesEach: 4 },
  'mobilenet_v2_0.35_224': { parameters: 0.41e6, bytesEach: 4 },
  'mobilenet_v2_0.50_224': { parameters: 0.71e6, bytesEach: 4 },
  'mobilenet_v2_0.75_224': { parameters: 1.38e6, bytesEach: 4 },
  'mobilenet_v2_1.0_224': { parameters: 2.26e6, bytesEach: 4 },
  efficientnet_lite0_int8: { parameters: 4.7e6, bytesEach: 1 },
};

/** The download's size, exact or estimated; null where Graft knows neither (MediaPipe's embedders). */
export function downloadSize(backboneId: string): DownloadSize | null {
  const checksums = publishedChecksums(backboneId);
  if (checksums) return { bytes: Object.values(checksums).reduce((sum, file) => sum + file.bytes, 0), exact: true };
  const tflite = TFLITE_BACKBONES.find((b) => b.id === backboneId);
  if (tflite?.source.bytes) return { bytes: tflite.source.bytes, exact: true };
  const known = PARAMETERS[backboneId];
  return known ? { bytes: Math.round(known.parameters * known.bytesEach), exact: false } : null;
}

/** "10.5 MB", "about 16.8 MB" (an estimate), or "size not recorded". */
export function sizeWords(size: DownloadSize | null): string {
  if (!size) return 'size not recorded';
  return `${size.exact ? '' : 'about '}${formatAmount(size.bytes, 'bytes')}`;
}

/** How a download of this backbone will be checked (what `checkWords` will say once it is done). */
export function expectedCheck(backboneId: string): Exclude<DownloadResult['verifiedBy'], null> {
  if (publishedChecksums(backboneId)) return 'sha256';
  const tflite = TFLITE_BACKBONES.find((b) => b.id === backboneId);
  if (!tflite) return 'size'; // a TensorFlow.js model: its weights against the sizes its model.json declares
  return tflite.source.sha256 ? 'sha256' : tflite.source.bytes ? 'size' : 'unchecked';
}

/** How a finished download was checked, as a clause: "every file matched its published SHA-256". */
export function checkWords(verifiedBy: DownloadResult['verifiedBy']): string {
  switch (verifiedBy) {
    case 'sha256':
      return 'every file matched the SHA-256 the catalogue records for it';
    case 'size':
      return 'checked by its size only: Graft has no checksum recorded for it';
    case 'unchecked':
      return 'not checked: Graft has no size or checksum recorded for it';
    case null:
      return 'already on this computer';
  }
}

/** A catalogue backbone's title by its id (the id itself for one the catalogue does not list). */
export function catalogueTitle(backboneId: string): string {
  return findBackbone(backboneId)?.title ?? TFLITE_BACKBONES.find((b) => b.id === backboneId)?.title ?? backboneId;
}

/**
 * A failed download in one short sentence a person can act on ("No internet connection: Graft
 * could not reach github.com."); the worker's whole message — the address, the error code, how to
 * get the model without internet — stays for a Details fold.
 */
export function downloadFailureWords(error: string): string {
  const host = /https?:\/\/([^/\s)]+)/.exec(error)?.[1] ?? 'the server';
  if (/ENOTFOUND|EAI_AGAIN|ENETUNREACH|ENETDOWN|getaddrinfo/.test(error)) return `No internet connection: Graft could not reach ${host}.`;
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket/i.test(error)) return `Graft could not reach ${host}: check the internet connection, then run it again.`;
  const status = / answered (\d{3}[^.]*)\./.exec(error);
  if (status) return `${host} did not send the model (it answered ${status[1].trim()}).`;
  if (/is damaged|not the published model/.test(error)) return 'The file that arrived is not the published model, so Graft did not keep it.';
  // Another reason: itself when it is short, else only that it failed.
  return error.length <= 140 ? error : 'The download did not finish.';
}
