import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { OnnxGraph } from '../onnx/onnxGraph';
import { createSession, gpuCandidates } from './computeDevice';

/** The smallest model: y = relu(x). */
function reluModel(): Uint8Array {
  const graph = new OnnxGraph();
  const x = graph.input('x', ['batch', 4]);
  graph.node('Relu', [x], {}, 'y');
  graph.output('y', ['batch', 4]);
  return graph.encode({ graphName: 'relu', producer: 'test', version: '1', doc: '', properties: {} });
}

let temp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  temp = makeTempDir();
  process.env.GRAFT_HOME = path.join(temp.dir, 'home');
});
afterAll(() => temp.remove());

describe('the compute device', () => {
  it('offers the platform’s GPU provider first', () => {
    expect(gpuCandidates('darwin')).toEqual(['coreml']);
    expect(gpuCandidates('win32')).toEqual(['dml']);
  });

  it('falls back to the CPU when the asked-for provider is absent, says why, and still runs', async () => {
    // No CUDA library ships with onnxruntime-node here, and this machine has no GPU.
    const { session, device } = await createSession(reluModel(), 'cuda');
    expect(device.provider).toBe('cpu');
    expect(device.description).toMatch(/on the CPU \(\d+ threads\); cuda unavailable: \S/);
    const { Tensor } = await import('onnxruntime-node');
    const output = await session.run({ x: new Tensor('float32', Float32Array.from([-1, 2, -3, 4]), [1, 4]) });
    expect(Array.from(output.y.data as Float32Array)).toEqual([0, 2, 0, 4]);
    await session.release();
  });

  it('stays on the CPU when the CPU is asked for', async () => {
    const { session, device } = await createSession(reluModel(), 'cpu');
    expect(device).toEqual({ provider: 'cpu', description: expect.stringMatching(/on the CPU \(\d+ threads\) \(the CPU was asked for\)$/) });
    await session.release();
  });

  it('does not try again a GPU provider whose last trial took its process down', async () => {
    const [provider] = gpuCandidates();
    if (!provider) return console.log('No GPU provider to try on this platform.');
    const { env } = await import('onnxruntime-node');
    fs.mkdirSync(process.env.GRAFT_HOME!, { recursive: true });
    fs.writeFileSync(path.join(process.env.GRAFT_HOME!, 'compute.json'), JSON.stringify({ onnxruntime: env.versions.common, trying: provider }));
    const { session, device } = await createSession(reluModel(), 'auto');
    expect(device.description).toContain(`${provider} unavailable: trying it stopped the process that tried`);
    await session.release();
  });
});
