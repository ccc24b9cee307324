/**
 * "Try it" on the main side: one predictor process (src/worker/predictor.ts) keeps the run being
 * tried loaded, so each photo is answered in a fraction of a second after the first. It runs
 * beside the job runner — a long import or training never holds it up, and a try is not a job in
 * the list. A different run (or project) replaces it; it ends after a few idle minutes, or when
 * the project closes.
 */
import { describeSchemaError, GraftError } from '../../shared/api/errors';
import { FromPredictor, type ToPredictor } from '../../shared/jobs/predictorProtocol';
import type { LaunchWorker, WorkerHandle } from './workerLauncher';

/** An idle predictor is ended after this long (its model holds a hundred megabytes or so). */
const IDLE_MS = 5 * 60_000;
/** Loading a model the first time (converting it to ONNX) can take a while on a slow machine. */
const ANSWER_TIMEOUT_MS = 120_000;

interface Loaded {
  key: string;
  handle: WorkerHandle;
  ready: Promise<string>;
  pending: Map<number, { resolve: (guesses: Guess[]) => void; reject: (error: Error) => void }>;
  exited: boolean;
}

type Guess = { label: string; confidence: number };

export class Predictor {
  private current: Loaded | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly launch: LaunchWorker,
    private readonly script: string,
    /** What the predictor process must know of the app's settings (GRAFT_COMPUTE=cpu), read at each launch. */
    private readonly environment: () => NodeJS.ProcessEnv = () => ({}),
  ) {}

  /** The run's best guesses for a photo (base64 bytes); without one, loads the run and says what runs it. */
  async predict(projectPath: string, runId: number, photo?: string): Promise<{ guesses: Guess[]; engine: string }> {
    const loaded = this.loaded(projectPath, runId);
    this.touch();
    const engine = await loaded.ready;
    if (photo === undefined) return { guesses: [], engine };
    const id = this.nextId++;
    const answer = new Promise<Guess[]>((resolve, reject) => {
      loaded.pending.set(id, { resolve, reject });
      const timer = setTimeout(() => {
        loaded.pending.delete(id);
        reject(new GraftError('unavailable', 'The model took too long to answer; try again.'));
      }, ANSWER_TIMEOUT_MS);
      timer.unref();
    });
    this.send(loaded, { type: 'predict', id, photo });
    return { guesses: await answer, engine };
  }

  dispose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const current = this.current;
    this.current = null;
    if (current && !current.exited) current.handle.kill();
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.dispose(), IDLE_MS);
    this.idleTimer.unref();
  }

  private send(loaded: Loaded, message: ToPredictor): void {
    loaded.handle.send(message);
  }

  private loaded(projectPath: string, runId: number): Loaded {
    const key = `${projectPath}\n${runId}`;
    if (this.current && this.current.key === key && !this.current.exited) return this.current;
    this.dispose();
    const handle = this.launch(this.script, { ...process.env, ...this.environment() });
    let ready!: { resolve: (engine: string) => void; reject: (error: Error) => void };
    const loaded: Loaded = { key, handle, pending: new Map(), exited: false, ready: new Promise<string>((resolve, reject) => (ready = { resolve, reject })) };
    // A load that fails is reported to the caller that awaits it; nobody else may be waiting.
    loaded.ready.catch(() => {});
    const fail = (error: Error) => {
      ready.reject(error);
      for (const waiting of loaded.pending.values()) waiting.reject(error);
      loaded.pending.clear();
    };
    handle.onMessage((raw) => {
      const message = FromPredictor.safeParse(raw);
      if (!message.success) return fail(new GraftError('internal', `The predictor sent a malformed message: ${describeSchemaError(message.error, 'message')}`));
      const m = message.data;
      if (m.type === 'ready') return ready.resolve(m.engine);
      if (m.type === 'failed' && m.id === null) {
        fail(new GraftError('unavailable', m.message));
        if (this.current === loaded) this.dispose();
        return;
      }
      const waiting = loaded.pending.get(m.id!);
      loaded.pending.delete(m.id!);
      if (m.type === 'result') waiting?.resolve(m.guesses);
      else waiting?.reject(new GraftError('invalid_request', m.message));
    });
    handle.onExit((code) => {
      loaded.exited = true;
      fail(new GraftError('unavailable', `The model stopped before answering (exit code ${code ?? 'unknown'}); try again.`));
      if (this.current === loaded) this.current = null;
    });
    this.current = loaded;
    this.send(loaded, { type: 'load', projectPath, runId });
    return loaded;
  }
}
