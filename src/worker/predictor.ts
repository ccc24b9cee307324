/**
 * Entry of the predictor process: keeps one trained run loaded and answers "Try it" photo by
 * photo, at once — beside the job worker, so a long job never holds it up, and without a row in
 * the job list. It loads the run's classifier (onnxruntime on the run's converted model, as
 * classifying does), decodes each photo the one way Graft decodes photos, and returns the best
 * guesses. The main side ends it when it has been idle a while, or the project closes.
 */
import { describeSchemaError } from '../shared/api/errors';
import { ToPredictor, type FromPredictor } from '../shared/jobs/predictorProtocol';
import { openProjectDatabase } from '../node/data/project';
import { photoPixels } from '../node/photos/decode';
import { describeDecodeError } from '../node/photos/imageFiles';
import { topGuesses } from './classify/classifyFiles';
import { classifierForRun, type Classifier } from './ml/classifier';
import { onParentMessage, sendToParent } from './parentChannel';

const GUESSES = 5;
const send = (message: FromPredictor): void => sendToParent(message);
process.on('disconnect', () => process.exit(2));

let loading: Promise<Classifier> | null = null;

async function load(projectPath: string, runId: number): Promise<Classifier> {
  const { db, stores } = openProjectDatabase(projectPath);
  try {
    return await classifierForRun(stores.runs, runId);
  } finally {
    db.close();
  }
}

async function predict(id: number, photo: string): Promise<void> {
  if (!loading) throw new Error('No model was loaded.');
  const classifier = await loading;
  let pixels: Buffer;
  try {
    pixels = await photoPixels(Buffer.from(photo, 'base64'), classifier.model.inputSize, classifier.crop);
  } catch (error) {
    throw new Error(`This file is not a photo Graft can read: ${describeDecodeError(error)}.`);
  }
  const probabilities = await classifier.model.run([pixels]);
  send({ type: 'result', id, guesses: topGuesses(probabilities, GUESSES).map(([index, confidence]) => ({ label: classifier.labels[index], confidence })) });
}

onParentMessage((raw) => {
  const message = ToPredictor.safeParse(raw);
  if (!message.success) {
    send({ type: 'failed', id: null, message: `Malformed message to the predictor: ${describeSchemaError(message.error, 'message')}` });
    return;
  }
  const m = message.data;
  if (m.type === 'load') {
    if (loading) return;
    loading = load(m.projectPath, m.runId);
    loading.then(
      (classifier) => send({ type: 'ready', engine: classifier.model.engine }),
      (error: unknown) => send({ type: 'failed', id: null, message: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  predict(m.id, m.photo).catch((error: unknown) => send({ type: 'failed', id: m.id, message: error instanceof Error ? error.message : String(error) }));
});
