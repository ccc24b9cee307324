import { describe, expect, it } from 'vitest';
import { JobRequest, jobTitle } from './registry';

const train = (backbone: string) => JobRequest.parse({ kind: 'train', params: { model: 'transfer', backbone } });

describe('job titles', () => {
  it('name a network by its title, the catalogue’s or the one the main side knows for an imported network', () => {
    expect(jobTitle(train('mobilenet_v1_0.75'))).toBe('Train on MobileNetV1 0.75');
    expect(jobTitle(train('imported_birds_net'), (id) => (id === 'imported_birds_net' ? 'Birds net' : id))).toBe('Train on Birds net');
    expect(jobTitle(JobRequest.parse({ kind: 'downloadBackbone', params: { backbone: 'imported_birds_net' } }), () => 'Birds net')).toBe('Download Birds net');
  });
});
