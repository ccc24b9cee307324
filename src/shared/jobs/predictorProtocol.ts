/**
 * Messages between the main side and the predictor process, which keeps one trained model loaded
 * to answer "Try it" at once (beside the jobs, never queued behind them). Both ends validate what
 * they receive: these cross a process boundary.
 */
import { z } from 'zod';

export const ToPredictor = z.discriminatedUnion('type', [
  /** Load this run of this project; sent once, first. */
  z.object({ type: z.literal('load'), projectPath: z.string().min(1), runId: z.number().int() }),
  /** A photo's bytes in base64. */
  z.object({ type: z.literal('predict'), id: z.number().int(), photo: z.string() }),
]);
export type ToPredictor = z.infer<typeof ToPredictor>;

export const FromPredictor = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), engine: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), guesses: z.array(z.object({ label: z.string(), confidence: z.number() })) }),
  /** `id` null: the model could not be loaded. */
  z.object({ type: z.literal('failed'), id: z.number().int().nullable(), message: z.string() }),
]);
export type FromPredictor = z.infer<typeof FromPredictor>;
