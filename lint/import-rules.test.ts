import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRules } from './import-rules.js';

const root = path.resolve(import.meta.dirname, '..');

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    // A plain parse is enough for these rules; the type-aware project service would only slow the test.
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    importRules({ root }),
  ],
});

/** The messages of `ruleId` when `code` is linted as the repository file `file`. */
async function messagesOf(ruleId: string, file: string, code: string): Promise<string[]> {
  const results = await eslint.lintText(code, { filePath: path.join(root, file) });
  return results.flatMap((result) =>
    result.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message),
  );
}

const layerErrors = (file: string, code: string) => messagesOf('cpd/import-layers', file, code);

describe('import direction (cpd/import-layers)', () => {
  it('names both folders, what the importer may import and the allowed order', async () => {
    expect(
      await layerErrors('ml/x.ts', "import { db } from '../db/client.ts';\nexport const y = db;\n"),
    ).toEqual([
      'ml/ may not import db/: ml/ may import only ml/ itself. Imports flow one way: ' +
        'cli -> workflows -> jobs -> runner -> modes -> pipeline -> reports -> ledger -> db -> config; ' +
        'ml (imported by reports and above) imports nothing of the app.',
    ]);
  });

  it.each([
    [
      'db/x.ts',
      "import { clean } from '../jobs/clean.ts';",
      'db/ may not import jobs/: db/ may import only db/ itself and config/.',
    ],
    [
      'reports/x.ts',
      "import { startRun } from '../workflows/start-run.ts';",
      'reports/ may not import workflows/',
    ],
    [
      'reports/render/x.ts',
      "import type { Step } from '../../runner/step.ts';",
      'reports/ may not import runner/',
    ],
    [
      'reports/x.ts',
      "export { startRun } from '../workflows/start-run.ts';",
      'reports/ may not import workflows/',
    ],
    ['reports/x.ts', "export * from '../workflows/start-run.ts';", 'reports/ may not import workflows/'],
    [
      'reports/x.ts',
      "export const m = () => import('../workflows/start-run.ts');",
      'reports/ may not import workflows/',
    ],
    [
      'reports/x.ts',
      'export const m = () => import(`../workflows/start-run.ts`);',
      'reports/ may not import workflows/',
    ],
    [
      'reports/x.ts',
      "export type M = typeof import('../workflows/start-run.ts');",
      'reports/ may not import workflows/',
    ],
    ['config/x.ts', "import { ledger } from '../ledger/run-summary.ts';", 'config/ may not import ledger/'],
    ['ledger/x.ts', "import { auc } from '../ml/metrics.ts';", 'ledger/ may not import ml/'],
    [
      'pipeline/x.ts',
      "import { testEnv } from '../test/helpers/test-env.ts';",
      'pipeline/ may not import test/',
    ],
    [
      'pipeline/x.ts',
      "import config from '../drizzle.config.ts';",
      'pipeline/ may not import the repository root:',
    ],
  ])('reports %s doing %s', async (file, code, message) => {
    const errors = await layerErrors(file, `${code}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['jobs/x.ts', "import { runContext } from '../pipeline/context.ts';"],
    ['cli/commands/x.ts', "import { startRun } from '../../workflows/start-run.ts';"],
    ['reports/x.ts', "import { auc } from '../ml/metrics.ts';"],
    ['pipeline/publish/x.ts', "import { deciles } from './deciles.ts';"],
    ['pipeline/publish/x.ts', "import { cutoffs } from '../features/cutoffs.ts';"],
    ['ml/forest/x.ts', "import { mulberry } from '../random.ts';"],
    ['config/x.ts', "import { z } from 'zod';"],
    ['reports/x.ts', 'export const m = (name: string) => import(`../workflows/${name}.ts`);'],
    ['test/x.test.ts', "import { runContext } from '../pipeline/context.ts';"],
    ['bench/x.ts', "import { startRun } from '../workflows/start-run.ts';"],
  ])('lets %s do %s', async (file, code) => {
    expect(await layerErrors(file, `${code}\n`)).toEqual([]);
  });
});

describe('import cycles (import-x/no-cycle)', () => {
  // Real files, since the cycle check reads the module an import names; in lint/.tmp-*, which
  // git and `npm run lint` ignore.
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(root, 'lint/.tmp-cycle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function lintPair(a: string, b: string): Promise<string[]> {
    writeFileSync(path.join(dir, 'a.ts'), a);
    writeFileSync(path.join(dir, 'b.ts'), b);
    const results = await eslint.lintFiles([path.join(dir, 'a.ts'), path.join(dir, 'b.ts')]);
    return results.flatMap((result) =>
      result.messages
        .filter((m) => m.ruleId === 'import-x/no-cycle')
        .map((m) => `${path.basename(result.filePath)}: ${m.message}`),
    );
  }

  it('reports two modules that import each other', async () => {
    const errors = await lintPair(
      "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      "import { a } from './a.ts';\nexport const b = (): number => a();\n",
    );
    expect(errors).toEqual(['a.ts: Dependency cycle detected', 'b.ts: Dependency cycle detected']);
  });

  it('lets a type-only import close the loop, since it is gone at run time', async () => {
    const errors = await lintPair(
      "import type { B } from './b.ts';\nexport interface A { b?: B }\n",
      "import type { A } from './a.ts';\nexport const b = (a: A): A => a;\nexport type B = typeof b;\n",
    );
    expect(errors).toEqual([]);
  });

  it('lets a one-way import through', async () => {
    const errors = await lintPair(
      "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'export const b = (): number => 1;\n',
    );
    expect(errors).toEqual([]);
  });
});

describe('eslint.config.js', () => {
  it('turns the import rules on for app, test and entry files', async () => {
    const project = new ESLint({ cwd: root });
    for (const file of ['pipeline/x.ts', 'test/x.test.ts', 'bin/x.mjs']) {
      const config = (await project.calculateConfigForFile(path.join(root, file))) as Linter.Config;
      expect(config.rules).toMatchObject({
        'cpd/import-layers': [2, { root }],
        'import-x/no-cycle': [2, { ignoreExternal: true }],
        'simple-import-sort/imports': [2, {}],
      });
    }
  });
});
