/**
 * The single entry through which every request reaches the main side, whichever transport
 * carried it: validates the method and its parameters against the contract, calls the handler,
 * and turns any failure into a typed, readable error.
 */
import type { z } from 'zod';
import { isMethodName, methods, type MethodName, type Methods, type Result, type WireResponse } from '../../shared/api/contract';
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { logError } from '../../node/log';

export type Handlers = {
  [M in MethodName]: (params: z.output<Methods[M]['params']>) => Promise<Result<M>> | Result<M>;
};

export async function dispatch(handlers: Handlers, method: unknown, params: unknown): Promise<WireResponse> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `Unknown request: ${String(method)}.` } };
  }
  const parsed = methods[method].params.safeParse(params ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_request', message: `Invalid ${method} request: ${describeSchemaError(parsed.error, 'params')}` } };
  }
  try {
    const handler = handlers[method] as (params: unknown) => unknown;
    return { ok: true, result: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof GraftError) return { ok: false, error: { code: error.code, message: error.message } };
    logError(`${method} failed`, error);
    return { ok: false, error: { code: 'internal', message: `Graft could not complete ${method}: ${error instanceof Error ? error.message : String(error)}` } };
  }
}
