/** The line a person sees for each job, from its kind and parameters. */
import type { ActionKind } from '../api/classify';
import type { JobRequest } from '../api/contract';

export function jobTitle(request: JobRequest): string {
  switch (request.kind) {
    case 'hashFolder':
      return `Check files in ${lastPathPart(request.params.folder)}`;
    case 'import':
      return `Import ${request.params.folders.map(lastPathPart).join(', ')}`;
    case 'train':
      return request.params.model === 'scratch' ? 'Train a CNN from scratch (baseline)' : `Train on ${request.params.backbone} features${request.params.fineTuneEpochs ? ', then fine-tune its top block' : ''}`;
    case 'suggest':
      return 'Suggest labels for unlabelled photos';
    case 'downloadBackbone':
      return `Download ${request.params.backbone}`;
    case 'importBackbone':
      return `Import the model in ${lastPathPart(request.params.folder)}`;
    case 'classify': {
      const model = 'runId' in request.params.model ? `run ${request.params.model.runId}` : lastPathPart(request.params.model.folder);
      return `Classify ${request.params.folders.map(lastPathPart).join(', ')} with ${model}`;
    }
    case 'classifyAction':
      return ACTION_TITLES[request.params.action];
    case 'exportModel':
      return `Export run ${request.params.runId} to ${lastPathPart(request.params.folder)}`;
  }
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

function lastPathPart(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? p;
}
