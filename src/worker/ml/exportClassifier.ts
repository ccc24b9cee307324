/**
 * Writes a trained classifier to a folder that runs without Graft: ONNX and TensorFlow.js
 * formats (ONNX only for a run on an imported ONNX backbone, TensorFlow.js only for one the
 * converter cannot take), the class names, a machine-readable description, and a README for people.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GraftError } from '../../shared/api/errors';
import { decodeSide } from '../../node/photos/decode';
import type { ClassifierDescription } from '../../shared/classifierDescription';
import { describePreprocessing } from '../../shared/catalogue';
import { classifierOnnx, classifierTfjs, describeClassifier, TFJS_CANNOT_HOLD_ONNX, type ClassifierModel } from './classifierModel';
import { UnsupportedByOnnx } from '../onnx/kerasToOnnx';
import { tf } from './tensorflow';

export const DESCRIPTION_FILE = 'graft-model.json';
export const ONNX_FILE = 'model.onnx';

/** The README of an export; `backboneLicence` is the licence of the backbone this run really used. */
/** How a photo becomes the model's input, in the words of the export's README. */
function inputSteps(d: ClassifierDescription): string {
  const side = decodeSide(d.inputSize);
  const decoded = `RGB photo, EXIF orientation applied, transparent parts on white, scaled (Lanczos) so that its shorter side is ${side} px (never enlarged)`;
  if (d.crop === 'center' && side === d.inputSize) return `${decoded}, then the centre ${d.inputSize}x${d.inputSize} square cut out`;
  return `${decoded}, then resized to ${d.inputSize}x${d.inputSize}: ${d.crop === 'center' ? `scaled so that the shorter side is ${d.inputSize} px, then the centre cropped` : 'squashed to a square without cropping'}`;
}

function readme(d: ClassifierDescription, backboneLicence: string, problems: ExportProblems): string {
  const accuracy = d.evaluation ? `${(100 * d.evaluation.accuracy).toFixed(1)} % on ${d.evaluation.testPhotos} test photos it never trained on` : 'not measured';
  return `# Photo classifier exported by Graft

Classes (output order): ${d.labels.map((l, i) => `${i} ${l}`).join(', ')} — also in \`labels.txt\`, one per line.
Backbone: ${d.backbone}, licence ${backboneLicence}, with a head trained in Graft run ${d.runId}. The exported weights include the backbone's, under its licence.
Test accuracy when exported: ${accuracy}.

## Input
- ${inputSteps(d)} — as Graft prepared the photos it trained on.
- A float32 tensor of shape [batch, ${d.inputSize}, ${d.inputSize}, 3] holding the pixel values 0–255. The
  backbone's own scaling (${describePreprocessing(d.preprocessing)}) is inside the model.

## Output
Probabilities, float32 [batch, ${d.labels.length}], summing to 1 for each photo.

## Files
${
  problems.onnx
    ? `- No ONNX file: ${problems.onnx}`
    : '- `model.onnx`: ONNX, input `pixels`, output `probabilities`. For example with onnxruntime:\n  `session.run({ pixels: tensor })`.'
}
${problems.tfjs ? `- No TensorFlow.js model: ${problems.tfjs}` : '- `tfjs/model.json` and `tfjs/weights.bin`: a TensorFlow.js layers model (`tf.loadLayersModel`).'}
- \`graft-model.json\`: this description, read by \`graft classify --model <this folder>\`.
`;
}

async function writeTfjs(model: ClassifierModel, folder: string): Promise<void> {
  const classifier = await classifierTfjs(model);
  try {
    await classifier.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData ?? new ArrayBuffer(0);
        const weights = Buffer.concat((Array.isArray(data) ? data : [data]).map((b) => Buffer.from(b)));
        fs.mkdirSync(folder, { recursive: true });
        fs.writeFileSync(path.join(folder, 'weights.bin'), weights);
        const manifest = {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: 'Graft',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(manifest));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
      }),
    );
  } finally {
    classifier.dispose();
  }
}

/** Why a format is missing from an export (null: it is there). */
export interface ExportProblems {
  /** The backbone has layers the ONNX converter does not cover. */
  onnx: string | null;
  /** The backbone is an imported ONNX model, which TensorFlow.js cannot hold. */
  tfjs: string | null;
}

/**
 * Exports into folder, which must be new or empty (or a previous Graft export, which is replaced).
 * Returns why a format is missing, if one is.
 */
export async function exportClassifier(model: ClassifierModel, evaluation: ClassifierDescription['evaluation'], folder: string): Promise<ExportProblems> {
  const target = path.resolve(folder);
  if (model.backbone.format === 'graph') throw new GraftError('unavailable', 'A run on an imported graph model cannot be exported as one model yet; classify with it inside Graft.');
  if (fs.existsSync(target)) {
    const entries = fs.readdirSync(target);
    if (entries.length && !entries.includes(DESCRIPTION_FILE)) throw new GraftError('already_exists', `${target} is not empty; export into a new or empty folder.`);
  }
  // Written aside and renamed into place, so a crash never leaves a half-written model.
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const description = describeClassifier(model, evaluation);
  const problems: ExportProblems = { onnx: null, tfjs: model.backbone.format === 'onnx' ? TFJS_CANNOT_HOLD_ONNX : null };
  try {
    fs.writeFileSync(path.join(staging, ONNX_FILE), await classifierOnnx(model));
  } catch (error) {
    if (!(error instanceof UnsupportedByOnnx)) throw error;
    problems.onnx = error.message;
  }
  if (!problems.tfjs) await writeTfjs(model, path.join(staging, 'tfjs'));
  fs.writeFileSync(path.join(staging, 'labels.txt'), model.labels.join('\n') + '\n');
  fs.writeFileSync(path.join(staging, DESCRIPTION_FILE), JSON.stringify(description, null, 2) + '\n');
  fs.writeFileSync(path.join(staging, 'README.md'), readme(description, model.backbone.licence, problems));
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return problems;
}
