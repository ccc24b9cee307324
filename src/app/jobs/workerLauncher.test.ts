import { describe, expect, it } from 'vitest';
import { warmLauncher, type LaunchWorker, type WorkerHandle } from './workerLauncher';

/** A launcher that records what it started and what was killed, without processes. */
function fakeLauncher() {
  const started: { script: string; env: NodeJS.ProcessEnv; killed: boolean }[] = [];
  const launch: LaunchWorker = (script, env) => {
    const record = { script, env, killed: false };
    started.push(record);
    const handle: WorkerHandle = { send: () => {}, onMessage: () => {}, onExit: () => {}, kill: () => void (record.killed = true) };
    return handle;
  };
  return { launch, started };
}

describe('the warm launcher', () => {
  it('hands the waiting worker to the next job and starts the one after at once', () => {
    const fake = fakeLauncher();
    const warm = warmLauncher(fake.launch);
    const env = { A: '1' };
    warm.launch('worker.cjs', env); // the first job: nothing was waiting
    expect(fake.started).toHaveLength(2); // its worker, and a spare
    warm.launch('worker.cjs', env);
    // The spare served the second job: one more spare, no other start.
    expect(fake.started).toHaveLength(3);
    expect(fake.started.map((s) => s.killed)).toEqual([false, false, false]);
  });

  it('does not hand over a worker started with another environment (a setting changed since)', () => {
    const fake = fakeLauncher();
    const warm = warmLauncher(fake.launch);
    warm.launch('worker.cjs', { GRAFT_COMPUTE: 'auto' });
    warm.launch('worker.cjs', { GRAFT_COMPUTE: 'cpu' });
    // The spare (auto) was killed; the job got a fresh worker (cpu), and a new spare waits (cpu).
    expect(fake.started.map((s) => [s.env.GRAFT_COMPUTE, s.killed])).toEqual([
      ['auto', false],
      ['auto', true],
      ['cpu', false],
      ['cpu', false],
    ]);
    warm.stop();
    expect(fake.started.at(-1)!.killed).toBe(true);
  });
});
