/**
 * Every kind of long work Graft does, declared once: its parameters and result (validated where
 * they cross a process), the line a person sees, whether it needs an open project, and what it
 * changes — which views reload while it runs or when it ends. The job runner, the service, the
 * CLI and the renderer read this table; the worker maps each kind to its entry
 * (src/worker/jobs/index.ts), checked by the compiler against this list.
 */
import { z } from 'zod';
import { ActionRequest, ActionResult, type ActionKind, ClassifyParams, ClassifyResult, ClassifyToFileParams, ClassifyToFileResult, ExportParams, ExportResult, MergeResultsParams, MergeResultsResult } from '../api/classify';
import { catalogueTitle } from '../backboneDownloads';
import { HashFolderParams, HashFolderResult, ImportParams, ImportResult } from '../api/library';
import { CompareParams, CompareResult, DownloadBackboneParams, DownloadResult, ImportBackboneParams, ImportBackboneResult, SuggestParams, SuggestResult, TrainParams, TrainResult } from '../api/training';

/** What a job's work changes; views showing it reload. */
export const Change = z.enum(['photos', 'labels', 'classes', 'splits', 'classified', 'runs', 'backbones']);
export type Change = z.infer<typeof Change>;
export const CHANGES = Change.options;

export type JobScope = 'project' | 'app';

interface JobSpec<P extends z.ZodType, R extends z.ZodType, S extends JobScope> {
  params: P;
  result: R;
  /** 'project': runs in the open project and is recorded there; 'app': needs no project (recorded in the app's own data). */
  scope: S;
  /** What it changes when it ends (and, when `live`, every few seconds while it runs). */
  changes: readonly Change[];
  /** Its changes show while it runs (an import fills the grid as it goes), not only at the end. */
  live: boolean;
  /** `networkTitle` names a backbone by its id: the catalogue's, or one the user imported (only the main side knows those). */
  title(params: z.output<P>, networkTitle: (backboneId: string) => string): string;
}

const job = <P extends z.ZodType, R extends z.ZodType, S extends JobScope>(spec: JobSpec<P, R, S>) => spec;

function lastPathPart(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? p;
}

const ACTION_TITLES: Record<ActionKind, string> = {
  csv: 'Export results as CSV',
  json: 'Export results as JSON',
  copy: 'Copy photos into class folders',
  move: 'Move photos into class folders',
  link: 'Link photos into class folders',
  xmp: 'Write class keywords to XMP sidecars',
  suggest: 'Add predictions as suggested labels',
};

export const JOBS = {
  hashFolder: job({ params: HashFolderParams, result: HashFolderResult, scope: 'project', changes: [], live: false, title: (p) => `Check files in ${lastPathPart(p.folder)}` }),
  import: job({ params: ImportParams, result: ImportResult, scope: 'project', changes: ['photos', 'classes'], live: true, title: (p) => `Import ${p.folders.map(lastPathPart).join(', ')}` }),
  train: job({
    params: TrainParams,
    result: TrainResult,
    scope: 'project',
    changes: ['runs'],
    live: false,
    title: (p, networkTitle) => (p.model === 'scratch' ? 'Train a network learned from scratch, for comparison' : `Train on ${networkTitle(p.backbone)}${p.fineTuneEpochs ? ', then fine-tune its top block' : ''}`),
  }),
  compare: job({ params: CompareParams, result: CompareResult, scope: 'project', changes: ['runs'], live: false, title: () => 'Compare networks with one learned from scratch' }),
  suggest: job({ params: SuggestParams, result: SuggestResult, scope: 'project', changes: ['labels'], live: false, title: () => 'Suggest labels for unlabelled photos' }),
  downloadBackbone: job({ params: DownloadBackboneParams, result: DownloadResult, scope: 'app', changes: ['backbones'], live: false, title: (p, networkTitle) => `Download ${networkTitle(p.backbone)}` }),
  importBackbone: job({ params: ImportBackboneParams, result: ImportBackboneResult, scope: 'app', changes: ['backbones'], live: false, title: (p) => `Import the model in ${lastPathPart(p.folder)}` }),
  classify: job({
    params: ClassifyParams,
    result: ClassifyResult,
    scope: 'project',
    changes: ['classified'],
    live: true,
    title: (p) => `Classify ${p.folders.map(lastPathPart).join(', ')} with ${'runId' in p.model ? `run ${p.model.runId}` : lastPathPart(p.model.folder)}`,
  }),
  classifyToFile: job({
    params: ClassifyToFileParams,
    result: ClassifyToFileResult,
    scope: 'app',
    changes: [],
    live: false,
    title: (p) =>
      `Classify ${p.list ? `the photos listed in ${lastPathPart(p.list)}` : p.folders.map(lastPathPart).join(', ')}${p.shard.count > 1 ? ` (shard ${p.shard.index}/${p.shard.count})` : ''} with ${lastPathPart(p.model)} into ${lastPathPart(p.out)}`,
  }),
  mergeResults: job({
    params: MergeResultsParams,
    result: MergeResultsResult,
    scope: 'project',
    changes: ['classified'],
    live: false,
    title: (p) => `Import results from ${p.inputs.length === 1 ? lastPathPart(p.inputs[0]) : `${p.inputs.length} files`}`,
  }),
  classifyAction: job({ params: ActionRequest, result: ActionResult, scope: 'project', changes: ['classified', 'labels'], live: false, title: (p) => ACTION_TITLES[p.action] }),
  exportModel: job({ params: ExportParams, result: ExportResult, scope: 'project', changes: [], live: false, title: (p) => `Export run ${p.runId} to ${lastPathPart(p.folder)}` }),
} as const;

type Jobs = typeof JOBS;
export type JobKind = keyof Jobs;
export const JOB_KINDS = Object.keys(JOBS) as JobKind[];

export type JobParams<K extends JobKind> = z.output<Jobs[K]['params']>;
export type JobResult<K extends JobKind> = z.output<Jobs[K]['result']>;
export type ScopeOf<K extends JobKind> = Jobs[K]['scope'];

/** A request to start a job: its kind and parameters (as a caller writes them, defaults optional). */
export type JobRequestInput = { [K in JobKind]: { kind: K; params: z.input<Jobs[K]['params']> } }[JobKind];
/** A validated request, defaults filled in. */
export type JobRequest = { [K in JobKind]: { kind: K; params: JobParams<K> } }[JobKind];

export const JobRequest = z.discriminatedUnion(
  'kind',
  JOB_KINDS.map((kind) => z.object({ kind: z.literal(kind), params: JOBS[kind].params })) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<JobRequest, JobRequestInput>;

export function isJobKind(kind: unknown): kind is JobKind {
  return typeof kind === 'string' && Object.hasOwn(JOBS, kind);
}

export function jobTitle(request: JobRequest, networkTitle: (backboneId: string) => string = catalogueTitle): string {
  return (JOBS[request.kind].title as (params: unknown, networkTitle: (backboneId: string) => string) => string)(request.params, networkTitle);
}
