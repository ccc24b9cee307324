import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJpeg } from '../../test-support/imageFixtures';
import { makeTempDir } from '../../test-support/tempDir';
import { smallImageModel } from '../../test-support/onnxFixtures';
import { appVersion, distPath } from '../node/paths';

let temp: ReturnType<typeof makeTempDir>;

/** Runs the built `graft` command as a user would; never throws: returns the exit code and output. */
function graft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [distPath('cli.cjs'), ...args], { env: { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home') }, cwd: temp.dir }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => void (temp = makeTempDir()));
afterAll(() => temp.remove());

describe('graft (the CLI)', () => {
  it('prints its version and its help, and exits 0', async () => {
    expect(await graft('--version')).toMatchObject({ code: 0, stdout: `${appVersion()}\n` });
    const help = await graft('--help');
    expect(help.code).toBe(0);
    for (const command of ['import', 'train', 'classify', 'results', 'export', 'backbones']) expect(help.stdout).toContain(command);
  });

  it('exits non-zero on an unknown command or a bad option, saying so', async () => {
    const unknown = await graft('frobnicate');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
    expect((await graft('classes')).stderr).toMatch(/required option '--project <file>'/);
  });

  it('creates and imports into a project, with one JSON document on stdout for --json', async () => {
    const project = path.join(temp.dir, 'p.graft');
    const created = await graft('--json', 'project', 'create', project, '--name', 'Test');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ path: project, name: 'Test', schemaVersion: expect.any(Number) });

    const photos = path.join(temp.dir, 'photos');
    await writeJpeg(path.join(photos, 'cats', 'a.jpg'), { r: 200, g: 10, b: 10 });
    await writeJpeg(path.join(photos, 'dogs', 'b.jpg'), { r: 10, g: 10, b: 200 });
    fs.writeFileSync(path.join(photos, 'cats', 'broken.jpg'), 'not a photo');
    const imported = await graft('--json', '--no-progress', 'import', photos, '--project', project, '--folder-labels');
    expect(imported.code).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result).toMatchObject({ found: 3, added: 2, labelled: 2, library: { images: 2, unlabelled: 0 } });
    expect(result.problems).toEqual([{ path: path.join(photos, 'cats', 'broken.jpg'), reason: expect.stringMatching(/not a readable image/) }]);

    const classes = JSON.parse((await graft('--json', 'classes', '--project', project)).stdout);
    expect(classes.classes.map((c: { name: string; count: number }) => [c.name, c.count])).toEqual([
      ['cats', 1],
      ['dogs', 1],
    ]);
  });

  it('reports a failure as JSON with a code and exits 1, and labelling an unknown path exits 1', async () => {
    const missing = await graft('--json', 'jobs', '--project', path.join(temp.dir, 'nope.graft'));
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/There is no file at/) } });

    const project = path.join(temp.dir, 'p.graft');
    const label = await graft('--json', 'label', 'cats', path.join(temp.dir, 'elsewhere.jpg'), '--project', project);
    expect(label.code).toBe(1);
    expect(JSON.parse(label.stdout)).toEqual({ changed: 0, unknown: [path.join(temp.dir, 'elsewhere.jpg')] });
  });

  it('imports an ONNX model as a backbone, asking how it expects pixels when the model does not say', async () => {
    const file = path.join(temp.dir, 'small net.onnx');
    fs.writeFileSync(file, smallImageModel(['N', 3, 16, 16]));
    const env = { ...process.env, GRAFT_HOME: path.join(temp.dir, 'home'), GRAFT_MODELS_DIR: path.join(temp.dir, 'models') };
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => execFile(process.execPath, [distPath('cli.cjs'), '--no-progress', 'backbones', '--import', file, ...args], { env, cwd: temp.dir }, (error, stdout) => resolve({ code: error ? 1 : 0, stdout })));

    const unsaid = await run('--json');
    expect(unsaid.code).toBe(1);
    expect(JSON.parse(unsaid.stdout).error.message).toMatch(/^The import failed: small net\.onnx does not say how it expects pixels/);
    const imported = await run('--preprocessing', 'imagenet');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported small net \(imported\) as imported_small_net .*: 16x16 input, 4-d features from /);
    expect(imported.stdout).toContain('Its input “x” is NCHW, [“N”, 3, 16, 16].');
    expect(imported.stdout).toContain('Pixels: (x / 255 − mean) / std per channel');
    expect(fs.readdirSync(path.join(temp.dir, 'models', 'imported_small_net')).sort()).toEqual(['graft-backbone.json', 'model.onnx']);
  });
});
