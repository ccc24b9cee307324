import { describe, expect, it } from 'vitest';
import { createClient, type Transport } from './client';
import { GraftError } from './errors';

function fakeTransport(answer: unknown): Transport & { push(message: unknown): void } {
  let listener: (message: unknown) => void = () => {};
  return {
    invoke: async () => answer,
    subscribe: (l) => ((listener = l), () => {}),
    push: (message) => listener(message),
  };
}

describe('typed client', () => {
  it('returns results that match the contract', async () => {
    const client = createClient(fakeTransport({ ok: true, result: null }));
    expect(await client.call('projects.current', {})).toBeNull();
  });

  it('turns error responses into GraftErrors with their code', async () => {
    const client = createClient(fakeTransport({ ok: false, error: { code: 'no_project', message: 'Open a project first.' } }));
    await expect(client.call('jobs.list', {})).rejects.toEqual(new GraftError('no_project', 'Open a project first.'));
  });

  it('rejects results that do not match the contract', async () => {
    const client = createClient(fakeTransport({ ok: true, result: [{ path: 3 }] }));
    await expect(client.call('projects.recent', {})).rejects.toMatchObject({ code: 'invalid_response', message: expect.stringMatching(/did not match the contract/) });
  });

  it('delivers valid events and drops malformed ones', () => {
    const transport = fakeTransport(null);
    const client = createClient(transport);
    const seen: unknown[] = [];
    client.on('project.changed', (project) => seen.push(project));
    transport.push({ event: 'project.changed', data: null });
    transport.push({ event: 'project.changed', data: { name: 5 } });
    transport.push({ event: 'unknown.event', data: null });
    expect(seen).toEqual([null]);
  });
});
