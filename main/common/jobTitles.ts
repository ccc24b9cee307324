/** The line a person sees for each job, from its kind and parameters. */
import type { JobRequest } from '../../preload/common/contract';

export function jobTitle(request: JobRequest): string {
  switch (request.kind) {
    case 'hashFolder':
      return `Check files in ${lastPathPart(request.params.folder)}`;
    case 'import':
      return `Import ${request.params.folders.map(lastPathPart).join(', ')}`;
    case 'train':
      return request.params.model === 'scratch' ? 'Train a CNN from scratch (baseline)' : `Train on ${request.params.backbone} features`;
    case 'suggest':
      return 'Suggest labels for unlabelled photos';
    case 'downloadBackbone':
      return `Download ${request.params.backbone}`;
  }
}

function lastPathPart(p: string): string {
  const parts = p.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? p;
}
