/**
 * The `graft` command. Every command goes through the same API as the user interface (an
 * in-process client of GraftService), so the CLI and the app cannot disagree. `--json` prints
 * one JSON document on stdout; progress goes to stderr.
 */
import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import { CompareParams, ImportBackboneParams, TrainParams, type CompareResult, type DownloadResult, type Evaluation, type ImportBackboneResult, type SuggestResult, type TrainResult } from '../shared/api/training';
import type { HashFolderResult, ImportResult } from '../shared/api/library';
import type { Job } from '../shared/api/jobs';
import { GraftError } from '../shared/api/errors';
import { bestRun } from '../shared/bestRun';
import { checkWords, sizeWords } from '../shared/backboneDownloads';
import { formatAmount } from '../shared/progress';
import { describeBlocks, trainingReadiness } from '../shared/readiness';
import { count, percent } from '../shared/words';
import { compareRuns } from '../shared/runComparison';
import { LOG_FILE_NAME, logError, logInfo, setLogEcho, setLogFolder } from '../node/log';
import { appVersion, userDataDir } from '../node/paths';
import { canOpenBrowser, openBrowser } from './openBrowser';
import { runJob } from './runJob';
import { addClassifyCommands } from './classifyCommands';
import { cliOrigin, integer, jobResult, output, withProject, withService, type GlobalOptions } from './commandHelpers';

function describeEvaluation(classes: string[], evaluation: Evaluation, evaluatedOn: 'test' | 'validation' | null = 'test'): string {
  const width = Math.max(8, ...classes.map((c) => c.length));
  const measured = evaluatedOn === 'validation' ? `${count(evaluation.count, 'validation photo')} (the project has no test photos; they stood in)` : count(evaluation.count, 'test photo');
  const lines = [
    `Accuracy ${percent(evaluation.accuracy)} on ${measured}${evaluation.top5Accuracy !== null ? `, top-5 ${percent(evaluation.top5Accuracy)}` : ''}.`,
    `${'class'.padEnd(width)}  precision  recall     F1  photos`,
    ...classes.map((c, i) => {
      const m = evaluation.perClass[i];
      return `${c.padEnd(width)}  ${percent(m.precision).padStart(9)}  ${percent(m.recall).padStart(6)}  ${m.f1.toFixed(3)}  ${String(m.support).padStart(6)}`;
    }),
    `Confusion matrix (rows: true class, columns: predicted):`,
    `${''.padEnd(width)}  ${classes.map((c) => c.slice(0, 8).padStart(8)).join(' ')}`,
    ...evaluation.confusion.map((row, i) => `${classes[i].padEnd(width)}  ${row.map((n) => String(n).padStart(8)).join(' ')}`),
  ];
  return lines.join('\n');
}

/** How long an import took, and a rate only when there is one to speak of: "0 photos/s" helps nobody. */
function describeImportTime(result: ImportResult, seconds: number): string {
  const imported = result.added + result.newPaths;
  if (imported === 0) {
    const why = result.problems.length ? `; ${result.problems.length} files could not be imported (below)` : result.unchanged ? `; all ${result.unchanged} photos were already in the project` : '';
    return `Took ${seconds.toFixed(1)} s: nothing new was imported${why}.`;
  }
  const rate = imported / seconds;
  return `Took ${seconds.toFixed(1)} s (${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} new photos/s, thumbnails included).`;
}

function describeJob(job: Job): string {
  const when = job.finishedAt ?? job.startedAt ?? job.createdAt;
  return `#${job.id}  ${job.state.padEnd(11)} ${when.replace('T', ' ').slice(0, 19)}  ${job.title}${job.error ? ` — ${job.error}` : ''}`;
}

export function buildProgram(): Command {
  const program = new Command('graft')
    .description('Graft: label photos, train an image classifier by transfer learning, classify a photo library — offline.')
    .version(appVersion(), '-v, --version', 'print the version')
    .option('--json', 'print results as JSON on stdout')
    .option('--no-progress', 'do not show progress bars')
    .option('--cpu', 'run the networks on the CPU even where a GPU could be used')
    .option('--verbose', `print what Graft logs (jobs started and ended, errors with their stack) on stderr too; the log file is ${path.join('<user data folder>', 'logs', LOG_FILE_NAME)}`)
    .showHelpAfterError('(run graft --help for usage)');

  const globals = () => program.opts<GlobalOptions>();
  program.hook('preAction', (_program, command) => {
    // Job workers inherit the environment: this is how they learn where to run.
    if (globals().cpu) process.env.GRAFT_COMPUTE = 'cpu';
    if (globals().verbose) setLogEcho(process.stderr);
    const names: string[] = [];
    for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
    logInfo(['graft', ...names, ...command.args].join(' '));
  });

  program
    .command('serve')
    .description('serve the app to a browser on this computer (127.0.0.1 only, with a per-launch token)')
    .addOption(new Option('-p, --port <port>', 'port to listen on (0: any free port)').default(0).argParser(integer))
    .option('--project <file>', 'open this project at start')
    .option('--no-open', 'do not open the default browser')
    .action(async (options: { port: number; project?: string; open: boolean }) => {
      const { serveBrowserMode } = await import('./serve');
      const app = await serveBrowserMode(options);
      if (globals().json) output(true, { url: app.url, port: app.port }, () => '');
      else process.stdout.write(`Graft is running at ${app.url}\n(Press Ctrl+C to stop.)\n`);
      if (options.open && canOpenBrowser()) openBrowser(app.url);
      const stop = async () => {
        await app.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  const project = program.command('project').description('create or inspect project files');
  project
    .command('create <file>')
    .description('create a new project file (*.graft)')
    .option('--name <name>', 'display name (default: the file name)')
    .action((file: string, options: { name?: string }) =>
      withService(async (client) => {
        const info = await client.call('projects.create', { path: file, name: options.name });
        output(globals().json, info, () => `Created ${info.path}`);
      }),
    );
  project
    .command('info <file>')
    .description('show a project: name, format version, recent jobs')
    .action(async (file: string) => {
      await withProject(file, async (client) => {
        const info = await client.call('projects.current', {});
        const jobs = await client.call('jobs.list', {});
        output(globals().json, { project: info, jobs }, () =>
          [`${info?.name} (${info?.path})`, `format ${info?.schemaVersion}, created ${info?.createdAt}`, ...jobs.slice(0, 10).map(describeJob)].join('\n'),
        );
      });
    });

  program
    .command('jobs')
    .description("list a project's jobs, most recent first")
    .requiredOption('--project <file>', 'the project file')
    .action(async (options: { project: string }) => {
      await withProject(options.project, async (client) => {
        const jobs = await client.call('jobs.list', {});
        output(globals().json, jobs, () => (jobs.length ? jobs.map(describeJob).join('\n') : 'No jobs yet.'));
      });
    });

  program
    .command('hash <folder>')
    .description('content-hash every file under a folder (as a job) and list byte-identical copies')
    .requiredOption('--project <file>', 'the project that records the job')
    .action(async (folder: string, options: { project: string }) => {
      await withProject(options.project, async (client) => {
        const job = await runJob(client, { kind: 'hashFolder', params: { folder: path.resolve(folder) } }, globals().progress);
        const result = jobResult<HashFolderResult>(job, 'The job');
        output(globals().json, result, () =>
          [
            `${result.files} files, ${formatAmount(result.bytes, 'bytes')}, ${result.duplicateGroups.length} groups of identical files.`,
            ...result.duplicateGroups.slice(0, 20).map((group) => `  same content: ${group.join(', ')}`),
            ...result.unreadable.map((u) => `  could not read ${u.path}: ${u.reason}`),
          ].join('\n'),
        );
      });
    });

  program
    .command('import <folders...>')
    .description('import the photos under one or more folders (recursive); a second run adds only what is new')
    .requiredOption('--project <file>', 'the project file (created if it does not exist)')
    .option('--folder-labels', 'label photos by their folder name (cats/x.jpg is "cats"); train/val/test folders set the split')
    .action(async (folders: string[], options: { project: string; folderLabels?: boolean }) => {
      await withProject(
        options.project,
        async (client) => {
          const job = await runJob(client, { kind: 'import', params: { folders: folders.map((f) => path.resolve(f)), folderLabels: Boolean(options.folderLabels) } }, globals().progress);
          const result = jobResult<ImportResult>(job, 'The import', ' What was imported so far is kept; run the same command to continue.');
          const summary = await client.call('library.summary', {});
          const seconds = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
          output(globals().json, { ...result, seconds, library: { images: summary.images, unlabelled: summary.unlabelled, splits: summary.splits, classes: summary.classes } }, () =>
            [
              `Found ${result.found} photos: ${result.added} new, ${result.newPaths} already known at another path, ${result.unchanged} unchanged; ${result.skipped} other files skipped.`,
              seconds === null ? '' : describeImportTime(result, seconds),
              result.labelled ? `Labelled ${result.labelled} from their folders.` : '',
              result.missing ? `${result.missing} known files were not found again (kept, flagged missing).` : '',
              result.nearDuplicates.groups ? `${result.nearDuplicates.photos} photos are near-identical copies of each other (${result.nearDuplicates.groups} groups); each group is kept in one split.` : '',
              result.splitRepairs.joinedGroup ? `${result.splitRepairs.joinedGroup} copies moved to the split of their near-identical photos (${result.splitRepairs.groupsThatCrossed} groups crossed splits), so that no copy of a test photo is trained on.` : '',
              result.splitRepairs.completedClass ? `${result.splitRepairs.completedClass} photos moved so that every class has a photo in each split.` : '',
              ...(result.conflicts.length ? [`${result.conflicts.length} photos were found in folders that disagree:`, ...result.conflicts.map((c) => `  ${c.paths.join(' and ')}: ${c.detail}`)] : []),
              `The project now has ${summary.images} photos (${summary.unlabelled} unlabelled); train ${summary.splits.train}, validation ${summary.splits.validation}, test ${summary.splits.test}.`,
              ...summary.classes.map((c) => `  ${c.name}: ${c.count}`),
              ...(result.problems.length ? [`${result.problems.length} files could not be imported:`, ...result.problems.map((p) => `  ${p.path}: ${p.reason}`)] : []),
            ]
              .filter(Boolean)
              .join('\n'),
          );
        },
        true,
      );
    });

  program
    .command('classes')
    .description('list the classes with how many photos each has')
    .requiredOption('--project <file>', 'the project file')
    .action(async (options: { project: string }) => {
      await withProject(options.project, async (client) => {
        const summary = await client.call('library.summary', {});
        output(globals().json, { classes: summary.classes, unlabelled: summary.unlabelled }, () =>
          [...summary.classes.map((c) => `${String(c.count).padStart(7)}  ${c.name}`), `${String(summary.unlabelled).padStart(7)}  (unlabelled)`].join('\n'),
        );
      });
    });

  program
    .command('splits')
    .description('show the train/validation/test split, or change its ratios and seed (folder-given and pinned splits are kept)')
    .requiredOption('--project <file>', 'the project file')
    .option('--train <ratio>', 'share of photos for training', Number.parseFloat)
    .option('--validation <ratio>', 'share for validation (early stopping)', Number.parseFloat)
    .option('--test <ratio>', 'share for the final, honest test', Number.parseFloat)
    .option('--seed <n>', 'seed of the assignment', integer)
    .action(async (options: { project: string; train?: number; validation?: number; test?: number; seed?: number }) => {
      await withProject(options.project, async (client) => {
        const change = [options.train, options.validation, options.test, options.seed].some((v) => v !== undefined);
        if (change) {
          await client.call('splits.configure', { train: options.train ?? 0.7, validation: options.validation ?? 0.15, test: options.test ?? 0.15, seed: options.seed ?? 1 });
        }
        const { splits } = await client.call('library.summary', {});
        output(globals().json, splits, () => `train ${splits.train}, validation ${splits.validation}, test ${splits.test}`);
      });
    });

  program
    .command('backbones')
    .description('list the pretrained backbones, where each is published, and which are in the models folder; download one, or import your own')
    .option('--download <id>', 'download this backbone into the models folder (needs internet, or GRAFT_MODEL_MIRROR)')
    .option('--import <path>', 'import a TensorFlow.js layers or graph model (the folder of model.json and its weights), a TensorFlow Lite model (.tflite) or an ONNX model (.onnx) as a backbone')
    .option('--name <name>', 'with --import: its name (default: the folder or file name)')
    .option('--feature-layer <layer>', "with --import: the layer (graph node, ONNX node or value) giving the features (default: a layers model's last spatial layer, a graph model's output, the input of an ONNX model's last Gemm/MatMul; spatial ones are averaged)")
    .option(
      '--preprocessing <scaling>',
      "with --import: how it expects pixels: scale_-1_1 (x/127.5-1), scale_0_1 (x/255), scale_0_255 (as they are) or imagenet ((x/255-mean)/std with ImageNet's mean and std, most PyTorch models). A .tflite file with quantized input or normalisation metadata, or an ONNX file with Image.NominalPixelRange metadata, says it itself; otherwise scale_-1_1 for TensorFlow.js and TFLite models, and an ONNX model needs it said",
    )
    .action(async (options: { download?: string; import?: string; name?: string; featureLayer?: string; preprocessing?: string }) => {
      if (options.import) {
        const params = ImportBackboneParams.parse({ folder: path.resolve(options.import), name: options.name, featureLayer: options.featureLayer, preprocessing: options.preprocessing });
        const result = await withService(async (client) => jobResult<ImportBackboneResult>(await runJob(client, { kind: 'importBackbone', params }, globals().progress), 'The import'));
        return output(globals().json, result, () =>
          [
            `Imported ${result.title} as ${result.id} into ${result.folder}: ${result.inputSize}x${result.inputSize} input, ${result.featureSize}-d features from ${result.featureLayer}.`,
            ...result.notes,
            result.onnxProblem ? `Classifying with it will run on TensorFlow.js (slower): ${result.onnxProblem}` : 'Classifying with it runs on onnxruntime.',
            `Train on it: graft train --project <file> --backbone ${result.id}`,
          ].join('\n'),
        );
      }
      if (options.download) {
        const backbone = options.download;
        const result = await withService(async (client) => jobResult<DownloadResult>(await runJob(client, { kind: 'downloadBackbone', params: { backbone } }, globals().progress), 'The download'));
        return output(globals().json, result, () =>
          result.alreadyPresent
            ? `${result.backbone} is already in ${result.folder}.`
            : `Downloaded ${result.backbone} (${formatAmount(result.bytes, 'bytes')}; ${checkWords(result.verifiedBy)}; licence ${result.licence}, saved beside it as LICENSE.txt) into ${result.folder}.`,
        );
      }
      await withService(async (client) => {
        const list = await client.call('backbones.list', {});
        const width = Math.max(...list.map((b) => b.id.length));
        output(globals().json, list, () =>
          list
            .map(
              (b) =>
                `${b.available ? 'ready  ' : 'missing'}  ${b.id.padEnd(width)}  ${(b.featureSize ? `${b.featureSize}-d` : '?').padStart(6)}  ${(b.source === 'imported' ? 'imported' : sizeWords(b.size)).padEnd(18)}  ${(b.source === 'imported' ? '' : b.licence).padEnd(11)} ${b.available ? b.folder : `${b.url}${b.source === 'tflite' ? ' (TensorFlow Lite: converted when downloaded)' : ''}`}`,
            )
            .join('\n'),
        );
      });
    });

  // The options' defaults are the jobs' own, as the app's are.
  const trainDefaults = TrainParams.parse({});
  program
    .command('train')
    .description('train a classifier on the labelled photos: backbone features + a small head, evaluated on the test split')
    .requiredOption('--project <file>', 'the project file')
    .option('--backbone <id>', 'pretrained backbone (graft backbones lists them)', trainDefaults.backbone)
    .option('--epochs <n>', 'most epochs (early stopping usually ends sooner)', integer, trainDefaults.epochs)
    .option('--seed <n>', 'seed for initialisation and shuffling', integer, trainDefaults.seed)
    .option('--hidden <units>', 'a hidden layer of this many units before the softmax (0: none)', integer, trainDefaults.hidden)
    .option('--crop <mode>', 'center (crop the middle square) or squash (resize the whole photo)', trainDefaults.crop)
    .option('--scratch', 'train the baseline instead: a small CNN from scratch on the same photos and splits, no pretrained backbone')
    .option('--fine-tune <epochs>', "then fine-tune the backbone's top block with the head for up to this many epochs, on augmented photos (slower; for the last percent)", integer, trainDefaults.fineTuneEpochs)
    .action(async (options: { project: string; backbone: string; epochs: number; seed: number; hidden: number; crop: string; scratch?: boolean; fineTune: number }) => {
      await withProject(options.project, async (client) => {
        const params = TrainParams.parse({
          model: options.scratch ? 'scratch' : 'transfer',
          backbone: options.backbone,
          epochs: options.epochs,
          seed: options.seed,
          hidden: options.hidden,
          crop: options.crop,
          fineTuneEpochs: options.fineTune,
        });
        // The checks the Train view shows: refused with the reason before anything runs; warnings said first.
        const readiness = trainingReadiness(await client.call('library.classSplits', {}));
        if (readiness.blocks.length) throw new GraftError('conflict', describeBlocks(readiness));
        const warnings = readiness.warnings.map((w) => w.message);
        for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
        const job = await runJob(client, { kind: 'train', params }, globals().progress);
        const result = jobResult<TrainResult>(job, 'Training');
        output(globals().json, { ...result, warnings }, () =>
          [
            `Run ${result.runId}: ${result.model === 'scratch' ? `${result.backbone} trained from scratch` : `${result.backbone} features + head`}, TensorFlow.js backend "${result.backend}".`,
            `Photos: ${result.photos.train} train, ${result.photos.earlyStopping} for early stopping, ${result.photos.test} test.`,
            `${result.model === 'scratch' ? 'Decoding photos' : 'Features'}: ${result.extractSeconds.toFixed(1)} s (${result.featuresComputed} computed${result.engine ? ` by ${result.engine}` : ''}${result.model === 'transfer' ? ', the rest cached' : ''}); training: ${result.trainSeconds.toFixed(1)} s, ${result.epochs} ${result.model === 'transfer' && result.epochs ? 'steps' : 'epochs'} (best ${result.bestEpoch}).`,
            describeEvaluation(result.classes, result.evaluation, readiness.evaluatedOn),
            ...result.notes.map((n) => `Note: ${n}`),
          ].join('\n'),
        );
      });
    });

  program
    .command('suggest')
    .description('let a trained model suggest labels for the unlabelled photos (accept them in the Label view, or with --accept)')
    .requiredOption('--project <file>', 'the project file')
    .option('--run <id>', 'the transfer-learning run to use (default: the best: highest share right, of equal ones the latest)', integer)
    .option('--accept <confidence>', 'also accept the suggestions at least this sure (0 to 1)', Number.parseFloat)
    .action(async (options: { project: string; run?: number; accept?: number }) => {
      await withProject(options.project, async (client) => {
        const job = await runJob(client, { kind: 'suggest', params: { runId: options.run } }, globals().progress);
        const result = jobResult<SuggestResult>(job, 'Suggesting');
        let accepted = 0;
        if (options.accept !== undefined) {
          const queue = await client.call('library.page', { suggested: true, sort: 'uncertainty', limit: 2000 });
          const sure: number[] = [];
          for (let offset = 0; offset < queue.total; offset += 2000) {
            const page = offset === 0 ? queue : await client.call('library.page', { suggested: true, sort: 'uncertainty', offset, limit: 2000 });
            sure.push(...page.items.filter((p) => (p.suggestionConfidence ?? 0) >= options.accept!).map((p) => p.id));
          }
          accepted = await client.call('suggestions.accept', { imageIds: sure, origin: cliOrigin });
        }
        output(globals().json, { ...result, accepted }, () =>
          [
            `Run ${result.runId} suggested labels for ${result.suggested} unlabelled photos in ${result.seconds.toFixed(1)} s.`,
            result.unreadable ? `${result.unreadable} photos could not be read.` : '',
            options.accept !== undefined ? `Accepted ${accepted} suggestions at least ${(100 * options.accept).toFixed(0)}% sure.` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      });
    });

  program
    .command('eval')
    .description("show a run's evaluation on the test split: accuracy, per-class precision/recall/F1, confusion matrix")
    .requiredOption('--project <file>', 'the project file')
    .option('--run <id>', 'the run (default: the best: highest share right, of equal ones the latest)', integer)
    .action(async (options: { project: string; run?: number }) => {
      await withProject(options.project, async (client) => {
        const runs = await client.call('runs.list', {});
        const run = options.run === undefined ? bestRun(runs) : runs.find((r) => r.id === options.run);
        if (!run) throw new GraftError('not_found', options.run === undefined ? 'No run yet: train first (graft train).' : `There is no run ${options.run}.`);
        output(globals().json, run, () => `Run ${run.id} (${run.backbone}, ${run.backend})\n${describeEvaluation(run.classes, run.evaluation, run.evaluatedOn)}`);
      });
    });

  const compareDefaults = CompareParams.parse({});
  program
    .command('compare')
    .description('the seed experiment: train the from-scratch CNN and every ready backbone on the same photos and splits, and compare time and accuracy')
    .requiredOption('--project <file>', 'the project file')
    .option('--backbone <id...>', 'only these backbones (default: every one in the models folder)')
    .option('--scratch-epochs <n>', 'most epochs of the from-scratch CNN', integer, compareDefaults.scratchEpochs)
    .option('--seed <n>', 'seed for initialisation and shuffling', integer, compareDefaults.seed)
    .action(async (options: { project: string; backbone?: string[]; scratchEpochs: number; seed: number }) => {
      await withProject(options.project, async (client) => {
        const job = await runJob(client, { kind: 'compare', params: { backbones: options.backbone, scratchEpochs: options.scratchEpochs, seed: options.seed } }, globals().progress);
        const result = jobResult<CompareResult>(job, 'The comparison');
        const width = Math.max(24, ...result.rows.map((r) => r.title.length));
        output(globals().json, result, () =>
          [
            `${'model'.padEnd(width)}  time to a model  test accuracy  less time  × accuracy`,
            ...result.rows.map(
              (r) =>
                `${r.title.padEnd(width)}  ${`${r.seconds.toFixed(1)} s`.padStart(15)}  ${percent(r.accuracy).padStart(13)}  ${(r.timeRatio === null ? '—' : `${r.timeRatio.toFixed(1)}x`).padStart(9)}  ${(r.accuracyRatio === null ? '—' : `${r.accuracyRatio.toFixed(2)}x`).padStart(10)}`,
            ),
            `(time to a model counts computing the features afresh, or decoding the photos for the CNN, and training; accuracy on ${result.rows[0]?.testPhotos ?? 0} test photos the models never trained on)`,
            ...result.notes.map((n) => `Note: ${n}`),
          ].join('\n'),
        );
      });
    });

  program
    .command('runs')
    .description('the runs side by side: backbone, time to train, test accuracy')
    .requiredOption('--project <file>', 'the project file')
    .action(async (options: { project: string }) => {
      await withProject(options.project, async (client) => {
        const runs = await client.call('runs.list', {});
        const comparison = compareRuns(runs);
        output(globals().json, { runs, comparison }, () =>
          runs.length
            ? [
                'run  model                        backend  features s  train s  epochs  measured on        accuracy',
                ...runs.map(
                  (r) =>
                    `${String(r.id).padStart(3)}  ${`${r.kind}${r.config.fineTuneEpochs ? '+fine-tune' : ''}: ${r.backbone}`.padEnd(28)} ${r.backend.padEnd(8)} ${r.extractSeconds.toFixed(1).padStart(10)}  ${r.trainSeconds.toFixed(1).padStart(7)}  ${String(r.epochs).padStart(6)}  ${`${r.evaluation.count} ${r.evaluatedOn === 'validation' ? 'validation' : 'test'}`.padEnd(16)}  ${(100 * r.evaluation.accuracy).toFixed(1).padStart(7)}%`,
                ),
                ...(comparison
                  ? [
                      `Transfer (run ${comparison.transferRunId}) against scratch (run ${comparison.scratchRunId}) on the same photos: ` +
                        `${comparison.timeRatio.toFixed(1)}x less time to train (${comparison.transferUsedCache ? 'but that transfer run reused cached features: the ratio flatters it' : 'computing the features included'}), ${comparison.accuracyRatio.toFixed(2)}x the accuracy ` +
                        `(error rate ${percent(comparison.transferError)} against ${percent(comparison.scratchError)}).`,
                    ]
                  : []),
              ].join('\n')
            : 'No runs yet: train first (graft train).',
        );
      });
    });

  program
    .command('label <class> <paths...>')
    .description('label photos (by any of their file paths) with a class, created if new; "none" unlabels')
    .requiredOption('--project <file>', 'the project file')
    .action(async (className: string, paths: string[], options: { project: string }) => {
      await withProject(options.project, async (client) => {
        const { ids, unknown } = await client.call('library.idsForPaths', { paths: paths.map((p) => path.resolve(p)) });
        let classId: number | null = null;
        if (className !== 'none') {
          const existing = (await client.call('library.summary', {})).classes.find((c) => c.name.toLowerCase() === className.toLowerCase());
          classId = existing ? existing.id : (await client.call('classes.create', { name: className })).id;
        }
        const changed = await client.call('labels.set', { imageIds: ids, classId, origin: cliOrigin });
        output(globals().json, { changed, unknown }, () =>
          [`Labelled ${changed} photos ${classId === null ? 'as unlabelled' : `“${className}”`}.`, ...unknown.map((u) => `  not in the project: ${u}`)].join('\n'),
        );
        if (unknown.length) process.exitCode = 1;
      });
    });

  addClassifyCommands(program, globals);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  setLogFolder(path.join(userDataDir(), 'logs'));
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const json = program.opts<GlobalOptions>().json;
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof GraftError ? error.code : 'internal';
    // A refusal Graft explains is not news for the log; anything else is logged with its stack.
    if (error instanceof GraftError) logInfo(`The command ended: ${message}`);
    else logError('The command failed', error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    process.stderr.write(`graft: ${message}\n`);
    process.exit(1);
  }
}

void main(process.argv);
