/**
 * Every backbone a person can train on or get, as `backbones.list` reports it: the catalogue's
 * TensorFlow.js MobileNets, the catalogue's TensorFlow Lite backbones (converted once downloaded),
 * and the models the user imported — each with where it is, whether it is here, and what
 * downloading it takes.
 */
import path from 'node:path';
import type { BackboneInfo } from '../../shared/api/training';
import { catalogueTitle, downloadSize } from '../../shared/backboneDownloads';
import { BACKBONES, technicalDetail, TFLITE_BACKBONES, type Backbone } from '../../shared/catalogue';
import { backboneFolder, importedBackbones, isAvailable, modelsDir } from './modelStore';

function describe(backbone: Backbone, source: BackboneInfo['source']): BackboneInfo {
  return {
    id: backbone.id,
    fineTunable: backbone.fineTuneFrom !== null,
    title: backbone.title,
    detail: technicalDetail(backbone),
    url: backbone.url,
    featureSize: backbone.featureSize,
    licence: backbone.licence,
    available: isAvailable(backbone),
    folder: backboneFolder(backbone),
    source,
    size: source === 'imported' ? null : downloadSize(backbone.id),
  };
}

export function listBackbones(): BackboneInfo[] {
  const converted = new Map(importedBackbones().map((b) => [b.id, b]));
  const tflite = TFLITE_BACKBONES.map((entry): BackboneInfo => {
    const here = converted.get(entry.id);
    if (here) return { ...describe(here, 'tflite'), title: entry.title, licence: entry.licence };
    return {
      id: entry.id,
      fineTunable: false,
      title: entry.title,
      detail: technicalDetail({ id: entry.id, family: 'imported', alpha: null, url: entry.source.url }),
      url: entry.source.url,
      featureSize: entry.featureSize,
      licence: entry.licence,
      available: false,
      folder: path.join(modelsDir(), entry.id),
      source: 'tflite',
      size: downloadSize(entry.id),
    };
  });
  const imported = [...converted.values()].filter((b) => !TFLITE_BACKBONES.some((t) => t.id === b.id)).map((b) => describe(b, 'imported'));
  return [...BACKBONES.map((b) => describe(b, 'tfjs')), ...tflite, ...imported];
}

/** The plain title of each network by its id — the catalogue's, or an import's as it was named — read once for many runs; an unknown id is its own title. */
export function networkTitles(): (backboneId: string) => string {
  const imported = new Map(importedBackbones().map((b) => [b.id, b.title]));
  return (id) => {
    const title = catalogueTitle(id);
    return title === id ? (imported.get(id) ?? id) : title;
  };
}
