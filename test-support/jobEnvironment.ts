/** Job environments for tests that call a job's entry directly, as the worker would. */
import type { JobContext } from '../src/shared/jobs/jobContext';
import type { Project } from '../src/node/data/project';
import type { AppJobEnvironment, ProjectJobEnvironment } from '../src/worker/jobs/jobEnvironment';

const quiet: JobContext = { signal: new AbortController().signal, progress: () => {} };

export function appEnvironment(context: JobContext = quiet): AppJobEnvironment {
  return { signal: context.signal, progress: context.progress, jobId: null };
}

export function projectEnvironment(project: Project, context: JobContext = quiet): ProjectJobEnvironment {
  return { ...appEnvironment(context), project: { path: project.info.path, stores: project.stores } };
}
