import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The layer rule's messages for `code` as if it were the file at `file` (relative to the repository). */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'graft/layers').map((m) => m.message);
}

describe('the process map (ESLint graft/layers)', () => {
  it('refuses an import that runs upward, naming both folders', async () => {
    expect(await layerProblems('src/shared/example.ts', "import { openSqlite } from '../node/data/sqlite';\nexport const x = openSqlite;\n")).toEqual([
      'src/shared/ may not import src/node/: shared may import shared.',
    ]);
    expect(await layerProblems('src/cli/example.ts', "import { train } from '../worker/jobs/train';\nexport const x = train;\n")).toEqual([
      'src/cli/ may not import src/worker/: cli may import shared, node, app, cli.',
    ]);
  });

  it('lets the main process import the worker for types only', async () => {
    expect(await layerProblems('src/app/example.ts', "import type { JobEntry } from '../worker/jobs/index';\nexport type X = JobEntry<'train'>;\n")).toEqual([]);
    expect(await layerProblems('src/app/example.ts', "import { JOB_ENTRIES } from '../worker/jobs/index';\nexport const x = JOB_ENTRIES;\n")).toEqual([
      'src/app/ may not import src/worker/ except for types (import type): app may import shared, node, app.',
    ]);
  });

  it('keeps ML packages in the worker, SQLite in the data layer, Node out of the page', async () => {
    expect(await layerProblems('src/app/example.ts', "import * as ort from 'onnxruntime-node';\nexport const x = ort;\n")).toEqual([
      'src/app/ may not load onnxruntime-node: ML code loads only inside the job worker (the app and the CLI start fast).',
    ]);
    expect(await layerProblems('src/worker/example.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n")).toEqual([
      'src/worker/ may not load better-sqlite3: SQL lives in the data layer (src/node/data).',
    ]);
    expect(await layerProblems('src/renderer/example.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toEqual([
      "src/renderer/ runs where Node's APIs do not exist or must stay pure: no node:fs.",
    ]);
  });
});
