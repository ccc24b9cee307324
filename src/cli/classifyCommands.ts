/** `graft classify`, `graft results` (and `results merge`) and `graft export`: using a trained model on a photo library. */
import type { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ActionKind,
  DEFAULT_UNKNOWN_THRESHOLD,
  ERROR_LABEL,
  UNKNOWN_LABEL,
  type ActionPlan,
  type ClassifiedPhoto,
  type ClassifierInfo,
  type ActionRequest,
  type ActionResult,
  type ClassifyResult,
  type ClassifyToFileResult,
  type ExportResult,
  type MergeResultsResult,
  type ResultFilter,
} from '../shared/api/classify';
import type { GraftClient } from '../shared/api/client';
import { GraftError } from '../shared/api/errors';
import { bestRun } from '../shared/bestRun';
import { chooseShard, describeShard, shardFileName, type ShardChoice } from '../shared/sharding';
import { confidence } from '../shared/words';
import { integer, jobResult, output, withProject, withService, type GlobalOptions } from './commandHelpers';
import { runJob } from './runJob';


function describeClassify(result: Omit<ClassifyResult, 'classifierId'>, counts: { label: string; count: number }[], countsOf: string, out: string | null): string {
  return [
    `${result.found} photos found: ${result.classified} classified, ${result.reused} copies of photos already classified, ${result.unchanged} done by an earlier run, ${result.failed} unreadable.`,
    `${result.seconds.toFixed(1)} s, ${result.photosPerSecond.toFixed(1)} photos/s (${result.engine}).`,
    `${countsOf}:`,
    ...counts.map((c) => `${String(c.count).padStart(7)}  ${c.label}`),
    ...result.problems.map((p) => `  ${p.path}: ${p.reason}`),
    out ? `Results: ${out}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Where a run without a project writes: the file given, or in a folder given (ending in /), the shard's own file. */
function outputFile(out: string, shard: ShardChoice): string {
  const resolved = path.resolve(out);
  const isFolder = /[\\/]$/.test(out) || (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory());
  if (!isFolder) return resolved;
  fs.mkdirSync(resolved, { recursive: true });
  return path.join(resolved, shardFileName(shard));
}

/**
 * Without a project: an exported model, results appended to a .csv or .jsonl file as they come (a
 * job of the app's own). Without --out, the results are written to a temporary file and printed.
 * A shard of an array job classifies its part of the photos into its own .jsonl file.
 */
async function classifyWithoutProject(
  source: { folders: string[] } | { list: string },
  options: { model: string; threshold?: number; topK: number; out?: string; shard?: string; shardCount?: number },
  globals: GlobalOptions,
): Promise<void> {
  if (/^\d+$/.test(options.model)) throw new GraftError('invalid_request', `A run id (${options.model}) needs --project; without a project, give a model folder exported with “graft export”.`);
  const shard = chooseShard(options, process.env);
  if (shard.count > 1) {
    if (!options.out || /\.csv$/i.test(options.out)) {
      throw new GraftError('invalid_request', `A shard writes its results to a .jsonl file for graft results merge: give --out shard.jsonl, or --out <folder>/ for ${shardFileName(shard)} in it.`);
    }
    process.stderr.write(`Classifying ${describeShard(shard)}.\n`);
  }
  const temporary = options.out ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'graft-classify-'));
  const out = options.out ? outputFile(options.out, shard) : path.join(temporary!, globals.json ? 'results.jsonl' : 'results.csv');
  try {
    const params = { model: path.resolve(options.model), folders: 'folders' in source ? source.folders : [], list: 'list' in source ? source.list : undefined, topK: options.topK, threshold: options.threshold ?? DEFAULT_UNKNOWN_THRESHOLD, out, shard };
    const job = await withService((client) => runJob(client, { kind: 'classifyToFile', params }, globals.progress));
    // A failure is said by its error (a refusal writes nothing); a stopped run keeps what it did.
    const result = jobResult<ClassifyToFileResult>(job, 'Classifying', job.state === 'failed' ? '' : ` What was classified is in ${out}; run the same command to resume.`);
    const countsOf = result.resumed ? 'Photos classified by this run (the earlier ones are in the file)' : 'Photos per class';
    const shardLine = shard.count > 1 ? `Shard ${shard.index}/${shard.count} (${shard.detail}): ${result.found} of the ${result.listingTotal} photos listed.\n` : '';
    if (temporary) {
      // The results themselves on stdout; the summary on stderr.
      process.stdout.write(fs.readFileSync(out));
      process.stderr.write(`${describeClassify(result, result.counts, countsOf, null)}\n`);
    } else {
      if (result.resumed) process.stderr.write(`Resumed: ${result.resumed} photos were already in ${out}.\n`);
      output(globals.json, result, () => shardLine + describeClassify(result, result.counts, countsOf, out));
    }
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
}

/** Lines of a list shown in the terminal; --json gives the first hundred. */
const SHOWN = 20;
const globalsJsonHint = ' (--json lists up to 100)';

function describeMerge(result: MergeResultsResult): string {
  const shards = [...new Set(result.files.map((f) => f.shard))].sort((a, b) => a - b);
  const { missing, duplicates } = result;
  return [
    `Imported ${result.files.length} ${result.files.length === 1 ? 'file' : 'files'} (${result.files[0].shards > 1 ? `shard ${shards.join(', ')} of ${result.files[0].shards}` : 'one run'}) classified by ${result.model}: ${result.rows} rows in ${result.seconds.toFixed(1)} s.`,
    `${result.added} new to the project, ${result.updated} changed, ${result.unchanged} already there the same; ${result.byHash} stored at the project's own path for the same photo.`,
    missing.count
      ? `${missing.exact ? '' : 'About '}${missing.count} photos of the listing are missing from every shard${missing.examples.length ? ':' : '.'}`
      : missing.exact
        ? 'Every photo of the listing is there.'
        : '',
    ...missing.examples.slice(0, SHOWN).map((p) => `  ${p}`),
    missing.count > SHOWN && missing.examples.length ? `  … and ${missing.count - SHOWN} more${globalsJsonHint}` : '',
    missing.note ?? '',
    duplicates.count ? `${duplicates.count} photos were present twice (kept once):` : '',
    ...duplicates.examples.slice(0, SHOWN).map((d) => `  ${d}`),
    duplicates.count > SHOWN ? `  … and ${duplicates.count - SHOWN} more${globalsJsonHint}` : '',
    result.malformed.length ? `Lines that are not results (not imported):` : '',
    ...result.malformed.map((m) => `  ${m.file}, line ${m.line}: ${m.reason}`),
  ]
    .filter(Boolean)
    .join('\n');
}

async function latestClassifier(client: GraftClient, id: number | undefined): Promise<ClassifierInfo> {
  const classifiers = await client.call('classify.classifiers', {});
  const chosen = id === undefined ? classifiers[0] : classifiers.find((c) => c.id === id);
  if (!chosen) throw new GraftError('not_found', id === undefined ? 'Nothing classified in this project yet: run graft classify first.' : `This project has no classification results ${id}.`);
  return chosen;
}

/** A classified photo as `graft results` lists it: its class, how sure the model is (as the app says it), its path. */
export function listedPhoto(p: ClassifiedPhoto): string {
  return `${p.label.padEnd(12)} ${(p.confidence === null ? '' : confidence(p.confidence)).padStart(8)}  ${p.path}${p.error ? `  (${p.error})` : ''}`;
}

const THRESHOLD_HELP = `below this confidence a photo is "unknown" (none of the classes); default: the level last chosen for these results (in the app or here), else ${DEFAULT_UNKNOWN_THRESHOLD}`;

function describePlan(plan: ActionPlan): string {
  return [
    plan.summary,
    ...plan.operations.map((o) => `  ${o.skip ? 'skip ' : ''}${o.source}${o.destination ? ` → ${o.destination}` : ''}${o.note ? `  (${o.note})` : ''}`),
    plan.total > plan.operations.length ? `  … and ${plan.total - plan.operations.length} more` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function addClassifyCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('classify [folders...]')
    .description('classify every photo under the folders (or listed in a file) with a trained model; run it again to resume (photos already done are skipped)')
    .requiredOption('--model <run id | folder>', 'a run of --project, or a model folder exported with graft export (from any project)')
    .option('--project <file>', 'keep the results in this project (browse and act on them in the app, or with graft results)')
    .option('--files <list>', 'without --project: classify the photos listed in this file, one path per line (relative paths from its folder), instead of folders')
    .option('--shard <K/N>', 'without --project: classify only shard K of N (K from 0), for graft results merge; by default the index of a Kubernetes Indexed Job, Slurm array or AWS Batch array task')
    .option('--shard-count <N>', 'the number of shards when the engine gives only the index (Kubernetes; or set GRAFT_SHARD_COUNT)', integer)
    .option('--threshold <confidence>', THRESHOLD_HELP, Number.parseFloat)
    .option('--top-k <k>', 'how many best guesses to keep per photo', integer, 3)
    .option('--out <file>', 'write the results: .csv or .json with --project; .csv or .jsonl without (written as they come, and resumed); for a shard, a folder ending in / holds shard-K-of-N.jsonl')
    .option('--force', 'with --project: replace the --out file if it exists')
    .action(async (folders: string[], options: { model: string; project?: string; files?: string; shard?: string; shardCount?: number; threshold?: number; topK: number; out?: string; force?: boolean }) => {
      if (!folders.length && !options.files) throw new GraftError('invalid_request', 'Give the folders to classify, or a list of photos with --files.');
      if (folders.length && options.files) throw new GraftError('invalid_request', 'Give folders or --files, not both.');
      const roots = folders.map((f) => path.resolve(f));
      if (!options.project) return classifyWithoutProject(options.files ? { list: path.resolve(options.files) } : { folders: roots }, options, globals());
      if (options.files || options.shard || options.shardCount) {
        throw new GraftError('invalid_request', `--${options.files ? 'files' : 'shard'} works without --project: classify into --out shard.jsonl files, then bring them into the project with graft results merge.`);
      }
      // Said before classifying, not after: the file would be refused at the end anyway.
      if (options.out && !options.force && fs.existsSync(options.out)) throw new GraftError('already_exists', `${path.resolve(options.out)} already exists: add --force to replace it, or choose another file.`);
      await withProject(
        options.project,
        async (client) => {
          const model = /^\d+$/.test(options.model) ? { runId: integer(options.model) } : { folder: path.resolve(options.model) };
          const job = await runJob(client, { kind: 'classify', params: { model, folders: roots, topK: options.topK } }, globals().progress);
          const result = jobResult<ClassifyResult>(job, 'Classifying', ' What was classified is kept; run the same command to resume.');
          // A level given here is remembered for these results: graft results and the app then start from it.
          if (options.threshold !== undefined) await client.call('classify.setThreshold', { classifierId: result.classifierId!, threshold: options.threshold });
          const classifier = await latestClassifier(client, result.classifierId!);
          const filter: ResultFilter = { classifierId: classifier.id, threshold: classifier.threshold };
          const summary = await client.call('classify.summary', filter);
          let out: string | null = null;
          if (options.out) {
            out = path.resolve(options.out);
            const ext = path.extname(out).toLowerCase();
            if (ext !== '.csv' && ext !== '.json') throw new GraftError('invalid_request', 'Write the results to a .csv or .json file.');
            jobResult<ActionResult>(await runJob(client, { kind: 'classifyAction', params: { filter, action: ext === '.csv' ? 'csv' : 'json', target: out, overwrite: Boolean(options.force) } }, globals().progress), 'Writing the results');
          }
          output(globals().json, { ...result, counts: summary.counts, out }, () => describeClassify(result, summary.counts, 'All photos this model classified in the project', out));
        },
        true,
      );
    });

  const results = program
    .command('results [action]')
    .description(`count classified photos per class, list them (with --class or a confidence filter), or act on them: ${ActionKind.options.join(', ')} (preview with --dry-run)`)
    .requiredOption('--project <file>', 'the project file')
    .option('--classifier <id>', 'which results (default: the latest model that classified)', integer)
    .option('--threshold <confidence>', THRESHOLD_HELP, Number.parseFloat)
    .option('--class <name>', `only this class (or ${UNKNOWN_LABEL}, or ${ERROR_LABEL})`)
    .option('--min-confidence <p>', 'only photos at least this sure', Number.parseFloat)
    .option('--max-confidence <p>', 'only photos at most this sure', Number.parseFloat)
    .option('--to <target>', 'the file (csv, json) or folder (copy, move, link) to write to')
    .option('--dry-run', 'list what the action would do, change nothing')
    .option('--force', 'csv, json: replace the --to file if it exists')
    .action(async (action: string | undefined, options: { project: string; classifier?: number; threshold?: number; class?: string; minConfidence?: number; maxConfidence?: number; to?: string; dryRun?: boolean; force?: boolean }) => {
      await withProject(options.project, async (client) => {
        const classifier = await latestClassifier(client, options.classifier);
        const classifierId = classifier.id;
        const threshold = options.threshold ?? classifier.threshold;
        const filter: ResultFilter = { classifierId, threshold, label: options.class, minConfidence: options.minConfidence, maxConfidence: options.maxConfidence };
        if (!action && filter.label === undefined && filter.minConfidence === undefined && filter.maxConfidence === undefined) {
          const summary = await client.call('classify.summary', { classifierId, threshold });
          return output(globals().json, { ...summary, threshold }, () =>
            [`${summary.total} photos classified; "unknown" below ${Math.round(threshold * 100)}% sure`, ...summary.counts.map((c) => `${String(c.count).padStart(7)}  ${c.label}`)].join('\n'),
          );
        }
        if (!action) {
          // The photos themselves, a page at a time.
          const photos: ClassifiedPhoto[] = [];
          for (let offset = 0, total = 1; offset < total; offset += 2000) {
            const page = await client.call('classify.results', { ...filter, sort: 'path', offset, limit: 2000 });
            total = page.total;
            photos.push(...page.items);
          }
          return output(globals().json, photos, () => photos.map(listedPhoto).join('\n'));
        }
        const kind = ActionKind.safeParse(action);
        if (!kind.success) throw new GraftError('invalid_request', `Unknown action “${action}”. Actions: ${ActionKind.options.join(', ')}.`);
        const request: ActionRequest = { filter, action: kind.data, target: options.to ? path.resolve(options.to) : undefined, overwrite: options.force };
        if (options.dryRun) {
          const plan = await client.call('classify.plan', request);
          return output(globals().json, plan, () => describePlan(plan));
        }
        const result = jobResult<ActionResult>(await runJob(client, { kind: 'classifyAction', params: request }, globals().progress), 'The action');
        output(globals().json, result, () => [result.summary, ...result.failed.map((f) => `  ${f.path}: ${f.reason}`)].join('\n'));
        if (result.failed.length) process.exitCode = 1;
      });
    });

  results
    .command('merge <outputs...>')
    .usage('<outputs...> --project <file>')
    .description(
      "import results classified elsewhere into --project: the .jsonl files of graft classify --out (each with its .manifest.json), or folders of them — the shards of an array job. " +
        'By content where the project knows the photo, by path otherwise; importing twice adds nothing. Reports photos missing from every shard and photos present twice (exit code 1 when some are missing or a line is not a result).',
    )
    .action(async (outputs: string[], _options: unknown, command: Command) => {
      const { project } = command.parent!.opts<{ project: string }>();
      await withProject(project, async (client) => {
        const inputs = outputs.map((o) => path.resolve(o));
        const result = jobResult<MergeResultsResult>(await runJob(client, { kind: 'mergeResults', params: { inputs } }, globals().progress), 'Importing the results');
        output(globals().json, result, () => describeMerge(result));
        if (result.missing.count || result.malformed.length) process.exitCode = 1;
      });
    });

  program
    .command('export')
    .description('export a trained run as a folder that runs without Graft: ONNX, TensorFlow.js, labels, README')
    .requiredOption('--project <file>', 'the project file')
    .requiredOption('--out <folder>', 'a new or empty folder')
    .option('--run <id>', 'the transfer-learning run (default: the best: highest share right, of equal ones the latest)', integer)
    .action(async (options: { project: string; out: string; run?: number }) => {
      await withProject(options.project, async (client) => {
        const runs = (await client.call('runs.list', {})).filter((r) => r.kind === 'transfer');
        const run = options.run === undefined ? bestRun(runs) : runs.find((r) => r.id === options.run);
        if (!run) throw new GraftError('not_found', options.run === undefined ? 'No transfer-learning run yet: train first (graft train).' : `Run ${options.run} is not a transfer-learning run of this project.`);
        const result = jobResult<ExportResult>(await runJob(client, { kind: 'exportModel', params: { runId: run.id, folder: path.resolve(options.out) } }, globals().progress), 'The export');
        const v = result.verification;
        output(globals().json, result, () =>
          [
            `Exported run ${run.id} (${result.backbone}; classes ${result.labels.join(', ')}) to ${result.folder} in ${result.seconds.toFixed(1)} s:`,
            ...result.files.map((f) => `  ${f}`),
            `Checked on ${v.photos} test photos: ${[v.onnxAgree === null ? null : `ONNX gives Graft's class for ${v.onnxAgree}`, v.tfjsAgree === null ? null : `TensorFlow.js for ${v.tfjsAgree}`].filter(Boolean).join(', ')}; largest probability difference ${v.maxDifference.toExponential(1)}.`,
            ...result.notes,
          ].join('\n'),
        );
      });
    });
}
