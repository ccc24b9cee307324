/** What a job's entry gets from the worker: cancel signal and progress, and the project it works in. */
import type { JobContext } from '../../shared/jobs/jobContext';
import type { ProjectStores } from '../../node/data/projectStores';

export interface AppJobEnvironment extends JobContext {
  readonly jobId: number | null;
}

/** A project job's environment: the project's stores, opened by the worker for this job. */
export interface ProjectJobEnvironment extends AppJobEnvironment {
  readonly project: { readonly path: string; readonly stores: ProjectStores };
}
