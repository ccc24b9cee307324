/**
 * The heads that bench/head.bench.mjs compares, bundled for it by esbuild: the convex head
 * (L-BFGS, strength chosen on validation) and the previous one (Adam, early stopping), with
 * train.ts's defaults.
 */
import { EarlyStopping, fit, tensorDataset } from '../src/worker/ml/fit';
import { Head } from '../src/worker/ml/head';
import { softmaxModelOf, strengthGrid, trainSoftmaxHead } from '../src/worker/ml/softmaxHead';
import { PreparedRows, softmaxLogits, solveSoftmaxRegression, type LabelledFeatures } from '../src/worker/ml/softmaxRegression';
import { initTensorflow, tf } from '../src/worker/ml/tensorflow';

interface Sets {
  train: LabelledFeatures;
  validation: LabelledFeatures;
  test: LabelledFeatures;
}

export async function convexHead(sets: Sets, classCount: number) {
  const started = performance.now();
  const head = await trainSoftmaxHead(sets.train, sets.validation, { classCount });
  const seconds = (performance.now() - started) / 1000;
  const model = softmaxModelOf(head.weights);
  const trainOnly = await solveSoftmaxRegression(sets.train, { classCount, l2: head.chosen.l2 });
  return {
    seconds,
    testLogits: softmaxLogits(model, sets.test.features),
    trainOnlyTestLogits: softmaxLogits(trainOnly.model, sets.test.features),
    strengths: strengthGrid(new PreparedRows(sets.train, classCount)),
    chosenStrength: head.chosen.l2,
    iterations: head.iterations,
    gradientNorm: head.gradientNorm,
  };
}

export async function adamHead(sets: Sets, classCount: number, seed: number) {
  await initTensorflow();
  const matrix = (set: LabelledFeatures) => tf.tensor2d(set.features, [set.labels.length, set.features.length / set.labels.length]);
  const started = performance.now();
  const [trainFeatures, validationFeatures, testFeatures] = [matrix(sets.train), matrix(sets.validation), matrix(sets.test)];
  const train = tensorDataset(trainFeatures, Array.from(sets.train.labels));
  const validation = tensorDataset(validationFeatures, Array.from(sets.validation.labels));
  const head = new Head({ inputSize: sets.train.features.length / sets.train.labels.length, classCount, hidden: 0, dropout: 0.2, seed });
  await fit(head, { train, validation, classCount, epochs: 50, batchSize: 32, learningRate: 0.001, seed }, [new EarlyStopping(5)]);
  const probabilities = await head.predict(testFeatures);
  const seconds = (performance.now() - started) / 1000;
  head.dispose();
  tf.dispose([trainFeatures, validationFeatures, testFeatures]);
  return { seconds, testLogits: Float64Array.from(probabilities.flat(), (p) => Math.log(Math.max(p, 1e-30))) };
}
