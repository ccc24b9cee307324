/**
 * A client of the service in the same process, for the CLI and tests: the same typed client and
 * validation as the renderer uses, over a transport that is a function call.
 */
import { createClient, type GraftClient } from '../../shared/api/client';
import type { GraftService } from './graftService';

export function inProcessClient(service: GraftService): GraftClient {
  return createClient({
    invoke: (method, params) => service.call(method, params),
    subscribe: (listener) => service.subscribe(listener),
  });
}
