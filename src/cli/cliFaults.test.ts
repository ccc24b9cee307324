/** The `graft` command as people run it (the built bundle, in its own process): messages, --verbose, --force. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test-support/tempDir';
import { createProject } from '../node/data/project';
import { distPath } from '../node/paths';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

function graft(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [distPath('cli.cjs'), '--no-progress', ...args], { env: { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home') }, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A project with two classified photos, as a classify job leaves it (no model needed). */
function classifiedProject(): string {
  const file = path.join(temp.dir, 'p.graft');
  const project = createProject(file);
  const id = project.stores.classified.ensureClassifier({ identity: 'test', runId: null, name: 'test', labels: ['cat', 'dog'] });
  project.stores.classified.sink(id).write([
    { path: '/photos/a.jpg', size: 1, mtimeMs: 1, hash: null, top: [[0, 0.9]], error: null },
    { path: '/photos/b.jpg', size: 1, mtimeMs: 1, hash: null, top: [[1, 0.8]], error: null },
  ]);
  project.close();
  return file;
}

describe('graft', () => {
  it('import says plainly when nothing new was imported, instead of a rate of 0 photos/s', () => {
    const folder = path.join(temp.dir, 'photos');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'notes.jpg'), 'not a photo');
    const run = graft('import', folder, '--project', path.join(temp.dir, 'p.graft'));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Took [\d.]+ s: nothing new was imported; 1 files could not be imported \(below\)\./);
    expect(run.stdout).not.toMatch(/photos\/s/);
  });

  it('--verbose prints the log on stderr: the command, and each job’s start and end; the log file has the same', () => {
    const folder = path.join(temp.dir, 'files');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.txt'), 'a');
    createProject(path.join(temp.dir, 'p.graft')).close();
    const run = graft('--verbose', 'hash', folder, '--project', path.join(temp.dir, 'p.graft'));
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/INFO {2}\[\d+\] graft hash /);
    expect(run.stderr).toMatch(/INFO {2}\[\d+\] Job #1 hashFolder “Check files in files” started in /);
    expect(run.stderr).toMatch(/INFO {2}\[\d+\] Job #1 hashFolder “Check files in files” done after [\d.]+ s\./);
    const logged = fs.readFileSync(path.join(temp.dir, 'home', 'logs', 'graft.log'), 'utf8');
    expect(logged).toMatch(/Job #1 hashFolder “Check files in files” done/);
    // Without --verbose, the log stays in its file.
    expect(graft('hash', folder, '--project', path.join(temp.dir, 'p.graft')).stderr).not.toMatch(/INFO/);
  });

  it('results csv refuses to replace an existing file without --force, and replaces it with --force', () => {
    const project = classifiedProject();
    const file = path.join(temp.dir, 'mine.csv');
    fs.writeFileSync(file, 'my own notes\n');
    const dryRun = graft('results', 'csv', '--project', project, '--to', file, '--dry-run');
    expect(dryRun.stdout).toMatch(/a file is already there: it is replaced only if you confirm \(--force/);
    const refused = graft('results', 'csv', '--project', project, '--to', file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/mine\.csv already exists.*add --force/);
    expect(fs.readFileSync(file, 'utf8')).toBe('my own notes\n');
    expect(graft('results', 'csv', '--project', project, '--to', file, '--force').status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^path,class,confidence,top,error\n\/photos\/a\.jpg,cat,/);
  });

  it('classify --out with a project refuses an existing file before classifying anything', () => {
    const project = classifiedProject();
    const file = path.join(temp.dir, 'mine.csv');
    fs.writeFileSync(file, 'my own notes\n');
    const run = graft('classify', temp.dir, '--model', '1', '--project', project, '--out', file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/mine\.csv already exists: add --force to replace it/);
    expect(fs.readFileSync(file, 'utf8')).toBe('my own notes\n');
  });
});
