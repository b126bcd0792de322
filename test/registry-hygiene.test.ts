import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelAliases, modelDecisions } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/** "+0.000 → champion v2" every night on the same data was registry noise: a tie keeps the champion. */
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

  it('two nights on identical data keep the first champion, and cpd models shows one alias per version', async () => {
    const { pipeline } = writeShoppersSlice(t.tmp, 600, { name: 'steady' });
    for (const date of ['2026-11-01', '2026-11-02']) {
      const r = await runCpd(['run', '--pipeline', pipeline, '--date', date, '--wait'], t.env);
      expect(r.code, r.stdout + r.stderr + worker.output()).toBe(0);
    }
    const decisions = await t.database.db.select().from(modelDecisions).orderBy(modelDecisions.id);
    expect(decisions.map((d) => [d.runKey, d.promoted])).toEqual([
      ['steady@2026-11-01', true],
      ['steady@2026-11-02', false],
    ]);
    const [first, second] = decisions;
    expect(second!.challengerValue).toBe(second!.championValue);
    expect(second!.reason).toMatch(
      new RegExp(
        `^challenger v${second!.challengerVersion} ROC-AUC \\S+ ties champion v${first!.challengerVersion} \\S+ on the same rows → kept v${first!.challengerVersion}$`,
      ),
    );
    const [champion] = await t.database.db
      .select()
      .from(modelAliases)
      .where(eq(modelAliases.alias, 'champion'));
    expect(champion?.versionId).toBe(first!.challengerVersion);

    const models = await runCpd(['models', 'steady'], t.env);
    expect(models.stdout).toMatch(new RegExp(`v${first!.challengerVersion}\\s+\\[champion\\]`));
    expect(models.stdout).toMatch(new RegExp(`v${second!.challengerVersion}\\s+\\[challenger\\]`));
  }, 240_000);
});
