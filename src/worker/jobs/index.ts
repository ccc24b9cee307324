/**
 * Each kind of job's entry in the worker, checked by the compiler against the registry
 * (src/shared/jobs/registry.ts): a kind without an entry, or an entry whose parameters or result
 * do not match its declaration, does not build. Project jobs get the project's stores.
 */
import type { JobKind, JobParams, JobResult, ScopeOf } from '../../shared/jobs/registry';
import { importBackboneJob } from '../ml/importBackbone';
import { classify } from './classify';
import { classifyAction } from './classifyAction';
import { classifyToFile } from './classifyToFile';
import { compare } from './compare';
import { downloadBackbone } from './downloadBackbone';
import { exportModel } from './exportModel';
import { hashFolder } from './hashFolder';
import { importPhotos } from './importPhotos';
import type { AppJobEnvironment, ProjectJobEnvironment } from './jobEnvironment';
import { mergeResults } from './mergeResults';
import { suggest } from './suggest';
import { train } from './train';

type EnvironmentOf<K extends JobKind> = ScopeOf<K> extends 'project' ? ProjectJobEnvironment : AppJobEnvironment;

export type JobEntry<K extends JobKind> = (params: JobParams<K>, env: EnvironmentOf<K>) => Promise<JobResult<K>>;

export const JOB_ENTRIES: { [K in JobKind]: JobEntry<K> } = {
  hashFolder,
  import: importPhotos,
  train,
  compare,
  suggest,
  downloadBackbone,
  importBackbone: (params) => importBackboneJob(params),
  classify,
  classifyToFile,
  classifyAction,
  exportModel,
  mergeResults,
};
