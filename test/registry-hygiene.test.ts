import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelAliases, modelDecisions, modelVersions, runModels, stepRuns } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * Registry noise, through real runs (`cpd run` + a `cpd worker` on MySQL and Redis): a second
 * night on identical data fitted and stored a copy of the model and promoted it ("+0.000"), and
 * version numbers were global across pipelines.
 */
describe('registry hygiene', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('registryhygiene');
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  const count = async (sql: string, args: unknown[]) => {
    const [rows] = await t.database.pool.query(sql, args);
    return Number((rows as { n: number }[])[0]!.n);
  };

  it('two nights on identical data keep one model version and the champion; numbers count per pipeline', async () => {
    const { pipeline } = writeShoppersSlice(t.tmp, 600, { name: 'steady' });
    const outputs: string[] = [];
    for (const date of ['2026-11-01', '2026-11-02']) {
      const r = await runCpd(['run', '--pipeline', pipeline, '--date', date, '--wait'], t.env);
      expect(r.code, r.stdout + r.stderr + worker.output()).toBe(0);
      outputs.push(r.stdout);
    }
    const [night1, night2] = ['steady@2026-11-01', 'steady@2026-11-02'];
    const { db } = t.database;

    // One version: the second night fitted nothing and stored nothing.
    const versions = await db.select().from(modelVersions).where(eq(modelVersions.pipeline, 'steady'));
    expect(versions.map((v) => [v.version, v.runKey])).toEqual([[1, night1]]);
    const v1 = versions[0]!;
    const links = await db.select().from(runModels).orderBy(runModels.runKey);
    expect(links.map((l) => [l.runKey, l.versionId, l.reused])).toEqual([
      [night1, v1.id, false],
      [night2, v1.id, true],
    ]);
    const [train2] = await db
      .select()
      .from(stepRuns)
      .where(eq(stepRuns.runKey, night2))
      .orderBy(stepRuns.id)
      .limit(10)
      .then((rows) => rows.filter((r) => r.step === 'train'));
    expect(train2?.details).toMatchObject({ reusedVersion: 1, reusedFrom: night1 });
    expect(outputs[1]).toContain('model: v1 (reused');

    // The champion stays, with the reason saying why nothing was promoted.
    const decisions = await db.select().from(modelDecisions).orderBy(modelDecisions.id);
    expect(decisions.map((d) => [d.runKey, d.promoted, d.challengerVersion, d.resultVersion])).toEqual([
      [night1, true, v1.id, v1.id],
      [night2, false, v1.id, v1.id],
    ]);
    expect(decisions[1]!.reason).toMatch(
      /^same data and parameters as v1: reused; v1 is already the champion; ROC-AUC 0\.\d{3} on tonight's rows$/,
    );
    const [champion] = await db.select().from(modelAliases).where(eq(modelAliases.alias, 'champion'));
    expect(champion?.versionId).toBe(v1.id);

    // The reusing night still has its own out-of-fold scores and published them.
    const known1 = await count('SELECT COUNT(*) AS n FROM known_outcome_scores WHERE run_key = ?', [night1]);
    expect(known1).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM known_outcome_scores WHERE run_key = ?', [night2])).toBe(
      known1,
    );
    expect(
      await count('SELECT COUNT(*) AS n FROM customer_scores WHERE run_key = ? AND model_version = 1', [
        night2,
      ]),
    ).toBeGreaterThan(0);

    // A second pipeline starts at v1, whatever the ids.
    const other = writeShoppersSlice(t.tmp, 600, { name: 'other' });
    const r = await runCpd(['run', '--pipeline', other.pipeline, '--date', '2026-11-01', '--wait'], t.env);
    expect(r.code, r.stdout + r.stderr + worker.output()).toBe(0);
    const [o] = await db.select().from(modelVersions).where(eq(modelVersions.pipeline, 'other'));
    expect([o!.version, o!.id]).toEqual([1, v1.id + 1]);

    const models = await runCpd(['models', 'steady'], t.env);
    expect(models.stdout).toMatch(/v1\s+\[champion\]/);
    expect(models.stdout).not.toMatch(/^\s+v2\s/m);
    const all = await runCpd(['models', 'other'], t.env);
    expect(all.stdout).toMatch(/v1\s+\[champion\]\s+other@2026-11-01/);
  }, 600_000);
});
