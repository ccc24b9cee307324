import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { until } from '../../../test-support/until';
import { aheadLauncher, warmLauncher, type LaunchWorker, type WorkerHandle } from './workerLauncher';

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

describe('the launcher with a worker forked ahead (a CLI command’s one job)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let script: string;
  beforeEach(() => {
    temp = makeTempDir();
    script = path.join(temp.dir, 'worker.cjs');
    // A stand-in worker: notes its pid in a file when it starts, answers any message with when it started.
    fs.writeFileSync(
      script,
      `const startedAt = Date.now(); require('fs').writeFileSync(require('path').join(${JSON.stringify(temp.dir)}, 'pid-' + process.pid), ''); process.on('message', () => process.send({ pid: process.pid, startedAt, x: process.env.X }));`,
    );
  });
  afterEach(() => temp.remove());

  const ask = (handle: WorkerHandle) => new Promise<{ pid: number; startedAt: number; x: string }>((resolve) => (handle.onMessage((m) => resolve(m as never)), handle.send('hello')));
  const pidsStarted = () => fs.readdirSync(temp.dir).filter((f) => f.startsWith('pid-')).map((f) => Number(f.slice(4)));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('hands the worker it forked to the first job asking with the same script and environment', async () => {
    const env = { ...process.env, X: 'a' };
    const ahead = aheadLauncher(script, env);
    await until(() => pidsStarted().length === 1);
    const asked = Date.now();
    const handle = ahead.launch(script, { ...env });
    const answer = await ask(handle);
    expect(answer.startedAt).toBeLessThan(asked);
    expect(pidsStarted()).toEqual([answer.pid]);
    handle.kill();
  });

  it('gives a job asking another environment a fresh worker and ends the one forked ahead; stop ends one nobody took', async () => {
    const ahead = aheadLauncher(script, { ...process.env, X: 'a' });
    await until(() => pidsStarted().length === 1);
    const [forkedAhead] = pidsStarted();
    const handle = ahead.launch(script, { ...process.env, X: 'b' });
    const answer = await ask(handle);
    expect(answer.x).toBe('b');
    expect(answer.pid).not.toBe(forkedAhead);
    await until(() => !alive(forkedAhead));
    handle.kill();

    const unused = aheadLauncher(script, { ...process.env });
    await until(() => pidsStarted().length === 3);
    const [third] = pidsStarted().filter((pid) => pid !== forkedAhead && pid !== answer.pid);
    unused.stop();
    await until(() => !alive(third));
  });
});
