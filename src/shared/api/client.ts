/**
 * The typed client the renderer (and tests) use. It sits on a Transport, which only moves
 * untyped messages; this layer validates what comes back against the contract, so a renderer
 * never sees a response or event that does not match its type.
 */
import {
  events,
  isEventName,
  methods,
  WireEvent,
  WireResponse,
  type EventData,
  type EventName,
  type MethodName,
  type Params,
  type Result,
} from './contract';
import { describeSchemaError, GraftError, type ErrorCode } from './errors';

/** What Electron's preload and the browser's HTTP/WebSocket code each provide. */
export interface Transport {
  invoke(method: string, params: unknown): Promise<unknown>;
  /** Calls back with every pushed event; returns a function that stops it. */
  subscribe(listener: (message: unknown) => void): () => void;
}

export interface GraftClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}

export function createClient(transport: Transport): GraftClient {
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();

  transport.subscribe((message) => {
    const wire = WireEvent.safeParse(message);
    if (!wire.success || !isEventName(wire.data.event)) return;
    const data = events[wire.data.event].safeParse(wire.data.data);
    if (!data.success) {
      console.error(`Ignored malformed ${wire.data.event} event: ${describeSchemaError(data.error, 'event')}`);
      return;
    }
    for (const listener of listeners.get(wire.data.event) ?? []) listener(data.data);
  });

  return {
    async call(method, params) {
      const raw = await transport.invoke(method, params);
      const wire = WireResponse.safeParse(raw);
      if (!wire.success) throw new GraftError('invalid_response', `The app answered ${method} with a malformed message.`);
      if (!wire.data.ok) throw new GraftError(wire.data.error.code as ErrorCode, wire.data.error.message);
      const result = methods[method].result.safeParse(wire.data.result);
      if (!result.success) {
        throw new GraftError('invalid_response', `The app's answer to ${method} did not match the contract: ${describeSchemaError(result.error, 'result')}`);
      }
      return result.data as Result<typeof method>;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const untyped = listener as (data: unknown) => void;
      set.add(untyped);
      return () => set.delete(untyped);
    },
  };
}
