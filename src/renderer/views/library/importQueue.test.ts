import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/api/jobs';
import type { ImportResult } from '../../../shared/api/library';
import { broughtPhotos, importFolders, sameFolders, startsAfter } from './importQueue';

const job = (j: Partial<Job>): Job => ({
  id: 1,
  scope: 'project',
  kind: 'import',
  title: 'Import cats',
  params: { folders: ['/photos/cats'], folderLabels: true },
  state: 'done',
  progress: { done: 0, total: null, unit: '', message: '', rate: null, etaSeconds: null },
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  result: null,
  ...j,
});
const result = (found: number): ImportResult => ({
  found,
  added: found,
  newPaths: 0,
  unchanged: 0,
  skipped: 0,
  missing: 0,
  labelled: 0,
  problems: [],
  conflicts: [],
  nearDuplicates: { groups: 0, photos: 0 },
  splitRepairs: { joinedGroup: 0, groupsThatCrossed: 0, completedClass: 0 },
});

describe('imports as the Library’s form sees them', () => {
  it('says when a new import will start, after the one running or after several', () => {
    expect(startsAfter(1)).toBe('starts after the one running');
    expect(startsAfter(3)).toBe('starts after the 3 jobs ahead of it');
  });

  it('knows an import of the same folders, in any order', () => {
    expect(importFolders(job({ params: { folders: ['/a', '/b'], folderLabels: false } }))).toEqual(['/a', '/b']);
    expect(sameFolders(['/a', '/b'], ['/b', '/a'])).toBe(true);
    expect(sameFolders(['/a'], ['/a', '/b'])).toBe(false);
  });

  it('clears the folders only after an import that found photos', () => {
    expect(broughtPhotos(job({ result: result(12) }))).toBe(true);
    expect(broughtPhotos(job({ result: result(0) }))).toBe(false);
    expect(broughtPhotos(job({ state: 'failed', error: 'is not a folder' }))).toBe(false);
  });
});
