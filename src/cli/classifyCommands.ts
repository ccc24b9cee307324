/** `graft classify`, `graft results` and `graft export`: using a trained model on a photo library. */
import type { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActionKind, ERROR_LABEL, UNKNOWN_LABEL, type ActionPlan, type ClassifiedPhoto, type ActionRequest, type ActionResult, type ClassifyResult, type ClassifyToFileResult, type ExportResult, type ResultFilter } from '../shared/api/classify';
import type { GraftClient } from '../shared/api/client';
import { GraftError } from '../shared/api/errors';
import { jobResult, output, withProject, withService, type GlobalOptions } from './commandHelpers';
import { runJob } from './runJob';

const int = (v: string) => Number.parseInt(v, 10);

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

/**
 * Without a project: an exported model, results appended to a .csv or .jsonl file as they come (a
 * job of the app's own). Without --out, the results are written to a temporary file and printed.
 */
async function classifyWithoutProject(folders: string[], options: { model: string; threshold: number; topK: number; out?: string }, globals: GlobalOptions): Promise<void> {
  if (/^\d+$/.test(options.model)) throw new GraftError('invalid_request', `A run id (${options.model}) needs --project; without a project, give a model folder exported with “graft export”.`);
  const temporary = options.out ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'graft-classify-'));
  const out = options.out ? path.resolve(options.out) : path.join(temporary!, globals.json ? 'results.jsonl' : 'results.csv');
  try {
    const job = await withService((client) => runJob(client, { kind: 'classifyToFile', params: { model: path.resolve(options.model), folders, topK: options.topK, threshold: options.threshold, out } }, globals.progress));
    const result = jobResult<ClassifyToFileResult>(job, 'Classifying', ` What was classified is in ${out}; run the same command to resume.`);
    const countsOf = result.resumed ? 'Photos classified by this run (the earlier ones are in the file)' : 'Photos per class';
    if (temporary) {
      // The results themselves on stdout; the summary on stderr.
      process.stdout.write(fs.readFileSync(out));
      process.stderr.write(`${describeClassify(result, result.counts, countsOf, null)}\n`);
    } else {
      if (result.resumed) process.stderr.write(`Resumed: ${result.resumed} photos were already in ${out}.\n`);
      output(globals.json, result, () => describeClassify(result, result.counts, countsOf, out));
    }
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
}

async function latestClassifier(client: GraftClient, id: number | undefined): Promise<number> {
  const classifiers = await client.call('classify.classifiers', {});
  const chosen = id === undefined ? classifiers[0] : classifiers.find((c) => c.id === id);
  if (!chosen) throw new GraftError('not_found', id === undefined ? 'Nothing classified in this project yet: run graft classify first.' : `This project has no classification results ${id}.`);
  return chosen.id;
}

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
    .command('classify <folders...>')
    .description('classify every photo under the folders with a trained model; run it again to resume (photos already done are skipped)')
    .requiredOption('--model <run id | folder>', 'a run of --project, or a model folder exported with graft export (from any project)')
    .option('--project <file>', 'keep the results in this project (browse and act on them in the app, or with graft results)')
    .option('--threshold <confidence>', 'below this confidence a photo is "unknown" (none of the classes)', Number.parseFloat, 0)
    .option('--top-k <k>', 'how many best guesses to keep per photo', int, 3)
    .option('--out <file>', 'write the results: .csv or .json with --project; .csv or .jsonl without (written as they come, and resumed)')
    .option('--force', 'with --project: replace the --out file if it exists')
    .action(async (folders: string[], options: { model: string; project?: string; threshold: number; topK: number; out?: string; force?: boolean }) => {
      const roots = folders.map((f) => path.resolve(f));
      if (!options.project) return classifyWithoutProject(roots, options, globals());
      // Said before classifying, not after: the file would be refused at the end anyway.
      if (options.out && !options.force && fs.existsSync(options.out)) throw new GraftError('already_exists', `${path.resolve(options.out)} already exists: add --force to replace it, or choose another file.`);
      await withProject(
        options.project,
        async (client) => {
          const model = /^\d+$/.test(options.model) ? { runId: int(options.model) } : { folder: path.resolve(options.model) };
          const job = await runJob(client, { kind: 'classify', params: { model, folders: roots, topK: options.topK } }, globals().progress);
          const result = jobResult<ClassifyResult>(job, 'Classifying', ' What was classified is kept; run the same command to resume.');
          const filter: ResultFilter = { classifierId: result.classifierId!, threshold: options.threshold };
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

  program
    .command('results [action]')
    .description(`count classified photos per class, list them (with --class or a confidence filter), or act on them: ${ActionKind.options.join(', ')} (preview with --dry-run)`)
    .requiredOption('--project <file>', 'the project file')
    .option('--classifier <id>', 'which results (default: the latest model that classified)', int)
    .option('--threshold <confidence>', 'below this confidence a photo is "unknown"', Number.parseFloat, 0)
    .option('--class <name>', `only this class (or ${UNKNOWN_LABEL}, or ${ERROR_LABEL})`)
    .option('--min-confidence <p>', 'only photos at least this sure', Number.parseFloat)
    .option('--max-confidence <p>', 'only photos at most this sure', Number.parseFloat)
    .option('--to <target>', 'the file (csv, json) or folder (copy, move, link) to write to')
    .option('--dry-run', 'list what the action would do, change nothing')
    .option('--force', 'csv, json: replace the --to file if it exists')
    .action(async (action: string | undefined, options: { project: string; classifier?: number; threshold: number; class?: string; minConfidence?: number; maxConfidence?: number; to?: string; dryRun?: boolean; force?: boolean }) => {
      await withProject(options.project, async (client) => {
        const classifierId = await latestClassifier(client, options.classifier);
        const filter: ResultFilter = { classifierId, threshold: options.threshold, label: options.class, minConfidence: options.minConfidence, maxConfidence: options.maxConfidence };
        if (!action && filter.label === undefined && filter.minConfidence === undefined && filter.maxConfidence === undefined) {
          const summary = await client.call('classify.summary', { classifierId, threshold: options.threshold });
          return output(globals().json, summary, () => [`${summary.total} photos classified`, ...summary.counts.map((c) => `${String(c.count).padStart(7)}  ${c.label}`)].join('\n'));
        }
        if (!action) {
          // The photos themselves, a page at a time.
          const photos: ClassifiedPhoto[] = [];
          for (let offset = 0, total = 1; offset < total; offset += 2000) {
            const page = await client.call('classify.results', { ...filter, sort: 'path', offset, limit: 2000 });
            total = page.total;
            photos.push(...page.items);
          }
          return output(globals().json, photos, () => photos.map((p) => `${p.label.padEnd(12)} ${p.confidence === null ? '     ' : `${(100 * p.confidence).toFixed(0).padStart(4)}%`}  ${p.path}${p.error ? `  (${p.error})` : ''}`).join('\n'));
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

  program
    .command('export')
    .description('export a trained run as a folder that runs without Graft: ONNX, TensorFlow.js, labels, README')
    .requiredOption('--project <file>', 'the project file')
    .requiredOption('--out <folder>', 'a new or empty folder')
    .option('--run <id>', 'the transfer-learning run (default: the latest)', int)
    .action(async (options: { project: string; out: string; run?: number }) => {
      await withProject(options.project, async (client) => {
        const runs = (await client.call('runs.list', {})).filter((r) => r.kind === 'transfer');
        const run = options.run === undefined ? runs[0] : runs.find((r) => r.id === options.run);
        if (!run) throw new GraftError('not_found', options.run === undefined ? 'No transfer-learning run yet: train first (graft train).' : `Run ${options.run} is not a transfer-learning run of this project.`);
        const result = jobResult<ExportResult>(await runJob(client, { kind: 'exportModel', params: { runId: run.id, folder: path.resolve(options.out) } }, globals().progress), 'The export');
        const v = result.verification;
        output(globals().json, result, () =>
          [
            `Exported run #${run.id} (${result.backbone}; classes ${result.labels.join(', ')}) to ${result.folder} in ${result.seconds.toFixed(1)} s:`,
            ...result.files.map((f) => `  ${f}`),
            `Checked on ${v.photos} test photos: ${v.onnxAgree === null ? '' : `ONNX gives Graft's class for ${v.onnxAgree}, `}TensorFlow.js for ${v.tfjsAgree}; largest probability difference ${v.maxDifference.toExponential(1)}.`,
            ...result.notes,
          ].join('\n'),
        );
      });
    });
}
