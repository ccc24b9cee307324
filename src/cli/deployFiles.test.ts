/**
 * The recipes in deploy/ cannot run here (no Docker, no cluster), so they are checked for what
 * can drift: they parse, each engine's manifest mounts the model read-only and writes one file per
 * shard, the Kubernetes shard count matches its completions, and every option they pass to
 * `graft classify` is one the built command has.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const deploy = (file: string) => path.join(root, 'deploy', file);
const classifyHelp = execFileSync(process.execPath, [path.join(root, 'dist', 'cli.cjs'), 'classify', '--help'], { encoding: 'utf8' });

/** The arguments given to graft: a classify command whose options all exist, writing into a folder of shards. */
function expectClassify(args: string[]): void {
  expect(args[0]).toBe('classify');
  for (const option of args.filter((a) => a.startsWith('--'))) expect(classifyHelp, `graft classify has no ${option}`).toContain(`${option} `);
  expect(args[args.indexOf('--out') + 1]).toMatch(/\/$/);
  expect(args).toContain('--model');
}

interface Mount {
  mountPath?: string;
  containerPath?: string;
  readOnly?: boolean;
  name?: string;
  sourceVolume?: string;
}

describe('deploy/', () => {
  it('has a Kubernetes Indexed Job whose shard count is its completions, the model mounted read-only', () => {
    const job = parse(fs.readFileSync(deploy('kubernetes/classify-job.yaml'), 'utf8'));
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    const [container] = job.spec.template.spec.containers;
    expectClassify(container.args);
    const count = container.env.find((e: { name: string }) => e.name === 'GRAFT_SHARD_COUNT').value;
    expect(Number(count)).toBe(job.spec.completions);
    const modelMount = container.volumeMounts.find((m: Mount) => m.mountPath === container.args[container.args.indexOf('--model') + 1]);
    expect(modelMount).toMatchObject({ readOnly: true });
    expect(job.spec.template.spec.volumes.find((v: { name: string }) => v.name === modelMount.name).persistentVolumeClaim.readOnly).toBe(true);
  });

  it('has an AWS Batch job definition with the model mounted read-only', () => {
    const definition = JSON.parse(fs.readFileSync(deploy('aws-batch/classify-job-definition.json'), 'utf8'));
    const { command, mountPoints } = definition.containerProperties;
    expectClassify(command);
    expect(mountPoints.find((m: Mount) => m.containerPath === command[command.indexOf('--model') + 1])).toMatchObject({ readOnly: true });
  });

  it('has a Slurm array script that bash can read, running graft classify into a folder of shards', () => {
    const script = deploy('slurm/classify-array.sbatch');
    execFileSync('bash', ['-n', script]);
    const text = fs.readFileSync(script, 'utf8');
    expect(text).toMatch(/^#SBATCH --array=0-\d+$/m);
    const line = text.split('\n').find((l) => l.startsWith('$GRAFT '))!;
    expectClassify(line.replace(/^\$GRAFT --no-progress /, '').split(' ').map((a) => a.replace(/^"|"$/g, '').replace(/^\$RESULTS\//, '/')));
  });

  it('has a Dockerfile that copies only what its ignore file lets in, and runs the built CLI', () => {
    const dockerfile = fs.readFileSync(deploy('Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    expect(sources.length).toBeGreaterThan(0);
    const allowed = fs
      .readFileSync(deploy('Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    for (const source of sources) {
      expect(fs.existsSync(path.join(root, source)), source).toBe(true);
      expect(allowed).toContain(source);
    }
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "\/graft\/dist\/cli\.cjs"/);
  });
});
