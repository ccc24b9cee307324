import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tempDir';
import { GRAFT_APPLICATION_ID, LATEST_SCHEMA_VERSION } from './migrations';
import { createProject, openProject } from './project';
import { openSqlite } from './sqlite';
import { distPath } from '../paths';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.remove());

const sha = (file: string) => fs.readFileSync(file).toString('base64');

describe('project files', () => {
  it('creates a WAL database with foreign keys on, marked as Graft, at the latest schema', () => {
    const project = createProject(path.join(temp.dir, 'birds'), 'Garden birds');
    expect(project.info.path).toBe(path.join(temp.dir, 'birds.graft'));
    expect(project.info.name).toBe('Garden birds');
    expect(project.info.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(project.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(project.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(project.db.pragma('application_id', { simple: true })).toBe(GRAFT_APPLICATION_ID);
    project.close();

    const reopened = openProject(path.join(temp.dir, 'birds.graft'));
    expect(reopened.info.name).toBe('Garden birds');
    expect(reopened.db.pragma('foreign_keys', { simple: true })).toBe(1);
    reopened.close();
  });

  it('refuses to create over an existing file', () => {
    createProject(path.join(temp.dir, 'a.graft')).close();
    expect(() => createProject(path.join(temp.dir, 'a.graft'))).toThrow(/already exists/);
  });

  it('refuses a file that is not a database, and leaves it unchanged', () => {
    const file = path.join(temp.dir, 'notes.graft');
    fs.writeFileSync(file, 'shopping list: eggs');
    expect(() => openProject(file)).toThrow(expect.objectContaining({ code: 'not_a_project', message: expect.stringMatching(/not a database/) }));
    expect(fs.readFileSync(file, 'utf8')).toBe('shopping list: eggs');
  });

  it("refuses another program's SQLite database, and leaves it unchanged", () => {
    const file = path.join(temp.dir, 'other.graft');
    const db = openSqlite(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
    const before = sha(file);
    expect(() => openProject(file)).toThrow(expect.objectContaining({ code: 'not_a_project', message: expect.stringMatching(/another program/) }));
    expect(sha(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a project from a newer Graft, says so, and leaves it unchanged', () => {
    const file = path.join(temp.dir, 'future.graft');
    createProject(file).close();
    const db = openSqlite(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = sha(file);
    expect(() => openProject(file)).toThrow(expect.objectContaining({ code: 'newer_project', message: expect.stringMatching(/newer version of Graft/) }));
    expect(sha(file)).toBe(before);
  });

  it('says clearly when the file does not exist or is a folder', () => {
    expect(() => openProject(path.join(temp.dir, 'nope.graft'))).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => openProject(temp.dir)).toThrow(expect.objectContaining({ code: 'not_a_project' }));
  });

  it('refuses a named pipe at once, with a sentence, instead of waiting for a writer', () => {
    const fifo = path.join(temp.dir, 'pipe.graft');
    execFileSync('mkfifo', [fifo]);
    // In its own process: were the pipe opened for reading, that process would wait forever.
    const run = spawnSync(process.execPath, [distPath('cli.cjs'), 'project', 'info', fifo], { env: { ...process.env, GRAFT_HOME: temp.dir }, encoding: 'utf8', timeout: 15_000 });
    expect(run.error, 'graft project info on a FIFO did not return').toBeUndefined();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/pipe\.graft is a named pipe \(FIFO\), not a Graft project file/);
  });

  it('refuses sockets, devices and folders by what they are', async () => {
    const socketFile = path.join(temp.dir, 's.graft');
    const server = net.createServer().listen(socketFile);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      expect(() => openProject(socketFile)).toThrow(expect.objectContaining({ code: 'not_a_project', message: expect.stringMatching(/is a socket, not a Graft project file/) }));
    } finally {
      server.close();
    }
    expect(() => openProject('/dev/null')).toThrow(expect.objectContaining({ code: 'not_a_project', message: expect.stringMatching(/null is a device, not a Graft project file/) }));
    expect(() => openProject(temp.dir)).toThrow(expect.objectContaining({ code: 'not_a_project', message: expect.stringMatching(/is a folder, not a Graft project file/) }));
  });

  it('applies missing migrations when an older project is opened', () => {
    const file = path.join(temp.dir, 'old.graft');
    const db = openSqlite(file);
    db.pragma(`application_id = ${GRAFT_APPLICATION_ID}`);
    db.close();
    const project = openProject(file);
    expect(project.info.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(project.db.prepare("SELECT name FROM sqlite_master WHERE name = 'jobs'").get()).toBeTruthy();
    project.close();
  });
});
