import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './env.ts';
import { loadPipelineFile, parsePipeline } from './pipeline.ts';

const made: string[] = [];
/** A folder of this file's own, removed after its tests. */
function tempDir(): string {
  made.push(mkdtempSync(path.join(os.tmpdir(), 'cpd-pipe-')));
  return made.at(-1)!;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const minimal = {
  name: 'shop',
  mode: 'labeled',
  sources: [{ kind: 'file', path: 'data.csv' }],
  columns: { label: { column: 'y' } },
};

describe('pipeline files', () => {
  it('fills defaults', () => {
    const p = parsePipeline(minimal, 'x.json');
    expect(p.model).toMatchObject({ engine: 'auto', nTrees: 100, seed: 42, threshold: { rule: 'max-f1' } });
    expect(p.schedule).toEqual({ cron: '0 2 * * *', timezone: 'UTC' });
  });

  it('takes the gbdt engine with only the boosting settings it is given (ml holds their defaults)', () => {
    const p = parsePipeline(
      { ...minimal, model: { engine: 'gbdt', boost: { learningRate: 0.05 } } },
      'x.json',
    );
    expect(p.model.engine).toBe('gbdt');
    expect(p.model.boost).toEqual({ learningRate: 0.05 });
    expect(parsePipeline(minimal, 'x.json').model.boost).toEqual({});
    expect(() => parsePipeline({ ...minimal, model: { boost: { maxLeafNodes: 1 } } }, 'x.json')).toThrow(
      /model\.boost\.maxLeafNodes/,
    );
  });

  it('names the field path of every error', () => {
    const bad = {
      ...minimal,
      sources: [{ kind: 'file' }],
      schedule: { cron: '0 2 * * *', timezone: 'Mars/Olympus' },
    };
    expect(() => parsePipeline(bad, 'bad.json')).toThrow(
      /bad\.json[\s\S]*sources\[0\]\.path[\s\S]*schedule\.timezone: not an IANA time zone/,
    );
  });

  it('refuses unknown keys anywhere, with the path and the closest known key', () => {
    const typo = {
      ...minimal,
      shedule: { cron: '0 3 * * *', timezone: 'UTC' },
      sources: [{ kind: 'file', path: 'data.csv', parse: { delimeter: ';' } }],
      model: { nTree: 10 },
      columns: { label: { column: 'y', postive: ['1'] } },
      gates: { psi: { max: 0.3, acton: 'block' } },
    };
    let message = '';
    try {
      parsePipeline(typo, 'typo.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('shedule: unknown key (did you mean "schedule"?)');
    expect(message).toContain('sources[0].parse.delimeter: unknown key (did you mean "delimiter"?)');
    expect(message).toContain('model.nTree: unknown key (did you mean "nTrees"?)');
    expect(message).toContain('columns.label.postive: unknown key (did you mean "positive"?)');
    expect(message).toContain('gates.psi.acton: unknown key (did you mean "action"?)');
    expect(() => parsePipeline({ ...minimal, colour: 'red' }, 'x.json')).toThrow(
      /colour: unknown key\n|colour: unknown key$/,
    );
  });

  it('reports invalid JSON with file, line and column', () => {
    const dir = tempDir();
    const file = path.join(dir, 'p.json');
    writeFileSync(file, '{\n  "name": "shop",\n  "mode": "labeled"\n  "sources": []\n}\n');
    expect(() => loadPipelineFile(file)).toThrow(`${file}:4:3: invalid JSON`);
  });

  it('resolves source paths against the pipeline file folder', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify(minimal));
    const p = loadPipelineFile(path.join(dir, 'p.json'));
    expect(p.sources[0]).toMatchObject({ kind: 'file', path: path.join(dir, 'data.csv') });
  });

  it('ships a valid shoppers pipeline', () => {
    const p = loadPipelineFile(path.join(import.meta.dirname, 'pipelines', 'online-shoppers.json'));
    expect(p.mode === 'labeled' && p.columns.label).toEqual({ column: 'Revenue', positive: ['TRUE'] });
  });
});

describe('environment', () => {
  it('has defaults that work on a developer machine', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/cpd');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.SMTP_URL).toBeUndefined();
  });
  it('refuses an unknown CPD_ variable with the closest known one', () => {
    expect(() => loadConfig({ CPD_ATTEMPT: '3' })).toThrow(
      /CPD_ATTEMPT: unknown variable \(did you mean "CPD_ATTEMPTS"\?\)/,
    );
    expect(() => loadConfig({ CPD_WHATEVER: '1' })).toThrow(/CPD_WHATEVER: unknown variable/);
    // Source secrets are named by pipeline files, not by the schema; other programs' variables are not ours.
    expect(loadConfig({ CPD_SOURCE_SHOP_DB: 'mysql://x@h/db', CPDX: '1', HOME: '/root' }).sourceEnv).toEqual({
      CPD_SOURCE_SHOP_DB: 'mysql://x@h/db',
    });
  });
  it('names the bad variable', () => {
    expect(() => loadConfig({ CPD_ATTEMPTS: 'many' })).toThrow(/CPD_ATTEMPTS/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
  });
});
