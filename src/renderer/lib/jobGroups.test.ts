import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/api/jobs';
import { jobGroups } from './jobGroups';

const job = (id: number, state: Job['state'], endedMinute: number | null): Job => ({
  id,
  scope: 'project',
  kind: 'import',
  title: `Job ${id}`,
  params: {},
  state,
  progress: { done: 0, total: null, unit: 'photos', message: '', rate: null, etaSeconds: null },
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString(),
  startedAt: null,
  finishedAt: endedMinute === null ? null : new Date(Date.UTC(2026, 0, 1, 1, endedMinute)).toISOString(),
  error: null,
  result: null,
});
const ids = (jobs: Job[]) => jobs.map((j) => j.id);

describe('jobGroups', () => {
  const jobs = [job(5, 'running', null), job(4, 'done', 40), job(3, 'failed', 30), job(2, 'done', 20), job(1, 'failed', 10)];

  it('puts the failures not seen yet above the jobs that ended, newest first', () => {
    const groups = jobGroups(jobs, () => false);
    expect(ids(groups.active)).toEqual([5]);
    expect(ids(groups.newFailures)).toEqual([3, 1]);
    expect(ids(groups.ended)).toEqual([4, 2]);
  });

  it('lists a failure once seen among the ended jobs by when it ended, never above newer ones', () => {
    const groups = jobGroups(jobs, (j) => j.id === 1);
    expect(ids(groups.newFailures)).toEqual([3]);
    expect(ids(groups.ended)).toEqual([4, 2, 1]);
  });

  it('never hides a failure, and keeps the latest ten of the jobs that went well', () => {
    const many = [...Array.from({ length: 12 }, (_, i) => job(100 + i, 'done', 50 + i)), job(1, 'failed', 1)];
    const groups = jobGroups(many, () => true);
    expect(groups.ended).toHaveLength(11);
    expect(ids(groups.ended).at(-1)).toBe(1);
    expect(ids(groups.ended)[0]).toBe(111);
  });
});
