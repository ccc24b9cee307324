/**
 * graft-model.json, the description an exported model folder carries: read by Graft when it
 * classifies with that folder, so it is validated like any message from outside.
 */
import { z } from 'zod';
import { PREPROCESSINGS } from './catalogue';

export const ClassifierDescription = z.object({
  format: z.literal('graft-classifier'),
  version: z.literal(1),
  labels: z.array(z.string().min(1)).min(2),
  inputSize: z.number().int().min(8).max(4096),
  crop: z.enum(['center', 'squash']),
  input: z.string(),
  /** The scaling the model applies inside (informative: inputs are always pixels 0–255). */
  preprocessing: z.enum(PREPROCESSINGS),
  backbone: z.string(),
  runId: z.number().int(),
  evaluation: z.object({ accuracy: z.number(), testPhotos: z.number().int() }).nullable(),
});
export type ClassifierDescription = z.infer<typeof ClassifierDescription>;
