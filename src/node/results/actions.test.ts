import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../shared/api/classify';
import type { JobContext } from '../../shared/jobs/jobContext';
import { useTempProject } from '../../../test-support/tempProject';
import { applyAction, planAction } from './actions';

const scratch = useTempProject();
let classifierId: number;
const context: JobContext = { signal: new AbortController().signal, progress: () => {} };

beforeEach(() => {
  // Results as a classify job records them, from a model whose class names a hostile project chose.
  classifierId = scratch.project.stores.classified.ensureClassifier({ identity: 'test', runId: null, name: 'test', labels: ['=HYPERLINK("http://evil.example","cat")', 'dog'] });
  scratch.project.stores.classified.sink(classifierId).write([
    { path: '/photos/a.jpg', size: 1, mtimeMs: 1, hash: null, top: [[0, 0.9], [1, 0.1]], error: null },
    { path: '/photos/b.jpg', size: 1, mtimeMs: 1, hash: null, top: [[1, 0.8], [0, 0.2]], error: null },
  ]);
});

const request = (action: 'csv' | 'json', target: string, overwrite?: boolean): ActionRequest => ({ filter: { classifierId, threshold: 0 }, action, target, overwrite });

describe('writing results to a file', () => {
  it.each(['csv', 'json'] as const)('refuses to replace an existing %s file unless asked, and says so in the preview', (action) => {
    const file = path.join(scratch.dir, `mine.${action}`);
    fs.writeFileSync(file, 'the user’s own file\n');
    const plan = planAction(scratch.project.stores, request(action, file));
    expect(plan.replacesFiles).toEqual([file]);
    expect(plan.operations[0].note).toMatch(/a file is already there/);

    expect(() => applyAction(scratch.project.stores, request(action, file), context)).toThrow(expect.objectContaining({ code: 'already_exists', message: expect.stringMatching(/mine\.\w+ already exists.*--force/) }));
    expect(fs.readFileSync(file, 'utf8')).toBe('the user’s own file\n');
    expect(fs.existsSync(`${file}.partial`)).toBe(false);

    expect(applyAction(scratch.project.stores, request(action, file, true), context)).toMatchObject({ done: 2 });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/a\.jpg/);
  });

  it('writes a new file without asking, and says nothing will be replaced', () => {
    const file = path.join(scratch.dir, 'new.csv');
    expect(planAction(scratch.project.stores, request('csv', file)).replacesFiles).toEqual([]);
    expect(applyAction(scratch.project.stores, request('csv', file), context)).toMatchObject({ done: 2 });
  });

  it('escapes a class name that a spreadsheet would run as a formula', () => {
    const file = path.join(scratch.dir, 'results.csv');
    applyAction(scratch.project.stores, request('csv', file), context);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[1]).toBe(`/photos/a.jpg,"'=HYPERLINK(""http://evil.example"",""cat"")",0.9000,"'=HYPERLINK(""http://evil.example"",""cat""):0.9000|dog:0.1000",`);
  });
});
