import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../config/pipeline.ts';
import { featureSets, modelAliases, modelDecisions, pipelineRuns, stepRuns } from '../db/schema/index.ts';
import type { Dataset } from '../ml/dataset.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type ForestParams, type Model, trainModel } from '../ml/engine.ts';
import { loadScoringModel, saveModelVersion } from '../pipeline/registry/model-store.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { scoringPipeline } from './helpers/scoring-night.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

/**
 * The model registry through the real evaluate step (a `cpd worker` process) on real MySQL:
 * each night's model is judged against the champion on the SAME validation rows, the decision
 * and its reason are stored, and `cpd models` / `cpd promote` show and override them.
 */
describe('model registry: champion/challenger decisions, cpd models, cpd promote', () => {
  let t: TestEnv;
  let worker: CpdProcess;
  let queues: Queues;
  const train = makeSynthetic({ nRows: 3_000, seed: 11 });
  const valid = makeSynthetic({ nRows: 1_500, seed: 12 });
  const pipeline = scoringPipeline('reg', { promotion: { metric: 'rocAuc', floor: 0.5, tolerance: 0.005 } });
  const versions: Record<string, number> = {};
  /** Version id -> its number within the pipeline (what reasons and `cpd models` show). */
  const numberOf = new Map<number, number>();
  const n = (id: number | undefined) => numberOf.get(id!)!;

  beforeAll(async () => {
    t = await createTestEnv('models');
    worker = spawnCpd(['worker', '--queues', 'evaluate'], t.env);
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.stop();
    await t?.cleanup();
  });

  const fit = (params: Partial<ForestParams>, data: Dataset = train) =>
    trainModel(data, { seed: 3, ...params }, { threads: 1 });

  /** What collect..train leave for evaluate: the ledger row, a succeeded train, the validation rows and the run's model. */
  async function seedNight(
    p: Pipeline,
    runKey: string,
    model: Model,
    data: Dataset = valid,
  ): Promise<number> {
    const { db, pool } = t.database;
    await db.insert(pipelineRuns).values({
      runKey,
      pipeline: p.name,
      businessDate: runKey.split('@')[1]!,
      status: 'running',
      params: p,
    });
    await db.insert(stepRuns).values({ runKey, step: 'train', attempt: 1, status: 'succeeded' });
    await db.insert(featureSets).values({
      runKey,
      featureNames: data.featureNames,
      categorical: data.categorical,
      encoders: {},
      rowsTrain: 0,
      rowsValid: data.nRows,
      rowsScore: 0,
      warnings: [],
    });
    const rows = Array.from({ length: data.nRows }, (_, r) => {
      const vec = Buffer.alloc(data.columns.length * 8);
      data.columns.forEach((c, f) => vec.writeDoubleLE(c[r]!, f * 8));
      return [runKey, 'valid', `c${String(r).padStart(6, '0')}`, data.labels[r], vec];
    });
    await pool.query('INSERT INTO feature_rows (run_key, role, entity_id, label, vec) VALUES ?', [rows]);
    const ins = await saveModelVersion(
      pool,
      {
        pipeline: p.name,
        runKey,
        engine: model.engine,
        params: {},
        featureNames: model.featureNames,
        dataFingerprint: 'seeded',
        trainRows: train.nRows,
        fitMs: 0,
      },
      model,
    );
    numberOf.set(ins.id, ins.version);
    return ins.id;
  }

  let jobs = 0;
  async function evaluate(runKey: string) {
    await queues
      .queue('evaluate')
      .add(
        'evaluate',
        { runKey, step: 'evaluate' },
        { jobId: `${runKey}.test${++jobs}.evaluate`, attempts: 1 },
      );
    return waitFor(
      `evaluate of ${runKey}`,
      async () => {
        const [row] = await t.database.db
          .select()
          .from(stepRuns)
          .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, 'evaluate')))
          .orderBy(desc(stepRuns.id))
          .limit(1);
        return row && row.status !== 'running' ? row : undefined;
      },
      120_000,
    );
  }

  const decisionOf = async (runKey: string) =>
    (await t.database.db.select().from(modelDecisions).where(eq(modelDecisions.runKey, runKey)))[0]!;
  const champion = async (p = 'reg') =>
    (
      await t.database.db
        .select()
        .from(modelAliases)
        .where(and(eq(modelAliases.pipeline, p), eq(modelAliases.alias, 'champion')))
    )[0]?.versionId ?? null;

  it('the first model becomes champion when it passes the floor', async () => {
    versions.first = await seedNight(pipeline, 'reg@2026-12-01', await fit({ nTrees: 5, maxDepth: 3 }));
    const step = await evaluate('reg@2026-12-01');
    expect(step.status, step.error ?? '').toBe('succeeded');
    const d = await decisionOf('reg@2026-12-01');
    expect(d).toMatchObject({
      promoted: true,
      championVersion: null,
      resultVersion: versions.first,
      decidedBy: 'auto',
    });
    expect(d.reason).toMatch(
      new RegExp(
        `^first model of the pipeline: challenger v${n(versions.first)} ROC-AUC 0\\.\\d{3} passes the floor 0\\.500 → champion v${n(versions.first)}$`,
      ),
    );
    expect(await champion()).toBe(versions.first);
  });

  it('a worse challenger is not promoted, and the stored reason compares both on the same rows', async () => {
    versions.worse = await seedNight(pipeline, 'reg@2026-12-02', await fit({ nTrees: 1, maxDepth: 1 }));
    const step = await evaluate('reg@2026-12-02');
    expect(step.status, step.error ?? '').toBe('succeeded');
    const d = await decisionOf('reg@2026-12-02');
    expect(d).toMatchObject({
      promoted: false,
      championVersion: versions.first,
      resultVersion: versions.first,
    });
    expect(d.challengerValue!).toBeLessThan(d.championValue! - 0.005);
    expect(d.reason).toContain(
      `challenger v${n(versions.worse)} ROC-AUC ${d.challengerValue!.toFixed(3)} vs champion v${n(versions.first)} ${d.championValue!.toFixed(3)}`,
    );
    expect(d.reason).toContain(`< −0.005 allowed) → kept v${n(versions.first)}`);
    const compared = (typeof d.compared === 'string' ? JSON.parse(d.compared) : d.compared) as {
      rows: number;
      champion: { rocAuc: number };
    };
    expect(compared.rows).toBe(valid.nRows);
    expect(compared.champion.rocAuc).toBeCloseTo(d.championValue!, 12);
    expect(await champion()).toBe(versions.first);
    // Tonight's scores come from the champion, not from tonight's losing model.
    expect((await loadScoringModel(t.database.db, 'reg', 'reg@2026-12-02')).version.id).toBe(versions.first);
  });

  it('a better challenger is promoted; rerunning its evaluation decides the same once', async () => {
    versions.better = await seedNight(pipeline, 'reg@2026-12-03', await fit({ nTrees: 40, maxDepth: 12 }));
    expect((await evaluate('reg@2026-12-03')).status).toBe('succeeded');
    const d = await decisionOf('reg@2026-12-03');
    expect(d).toMatchObject({
      promoted: true,
      championVersion: versions.first,
      resultVersion: versions.better,
    });
    expect(d.challengerValue!).toBeGreaterThan(d.championValue!);
    expect(d.reason).toMatch(/\(\+0\.\d{3} ≥ −0\.005 allowed\) → champion v\d+$/);
    expect(await champion()).toBe(versions.better);

    expect((await evaluate('reg@2026-12-03')).status).toBe('succeeded');
    const again = await t.database.db
      .select()
      .from(modelDecisions)
      .where(eq(modelDecisions.runKey, 'reg@2026-12-03'));
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({
      id: d.id,
      promoted: true,
      championVersion: versions.first,
      reason: d.reason,
    });
    expect(await champion()).toBe(versions.better);
  });

  it('a champion trained on other features is not compared; the reason says so and the floor decides', async () => {
    const renamed = {
      ...train,
      featureNames: train.featureNames.map((n, i) => (i === 0 ? 'recency_days' : n)),
    };
    const renamedValid = { ...valid, featureNames: renamed.featureNames };
    versions.renamed = await seedNight(
      pipeline,
      'reg@2026-12-04',
      await fit({ nTrees: 10, maxDepth: 6 }, renamed),
      renamedValid,
    );
    expect((await evaluate('reg@2026-12-04')).status).toBe('succeeded');
    const d = await decisionOf('reg@2026-12-04');
    expect(d).toMatchObject({ promoted: true, championVersion: versions.better, championValue: null });
    expect(d.reason).toContain(
      `champion v${n(versions.better)} cannot be compared (trained on other features; missing tonight: ${train.featureNames[0]}; new tonight: recency_days)`,
    );
  });

  it('model gate: a first model under the floor is not published and the run fails saying why', async () => {
    const strict = scoringPipeline('gate', { promotion: { floor: 0.99 } });
    const v = await seedNight(strict, 'gate@2026-12-01', await fit({ nTrees: 1, maxDepth: 1 }));
    // Numbers count per pipeline: reg already has four versions, gate's first is v1.
    expect([v, n(v)]).toEqual([n(versions.renamed) + 1, 1]);
    const step = await evaluate('gate@2026-12-01');
    expect(step).toMatchObject({ status: 'failed', errorKind: 'permanent' });
    expect(step.error).toMatch(
      new RegExp(
        `^model gate: challenger v${n(v)} ROC-AUC 0\\.\\d{3} fails the floor 0\\.990 and there is no champion → no model to score with$`,
      ),
    );
    // The runner marks the attempt, then the run: wait for the second write.
    const run = await waitFor('run failed', async () => {
      const [r] = await t.database.db
        .select()
        .from(pipelineRuns)
        .where(eq(pipelineRuns.runKey, 'gate@2026-12-01'));
      return r?.status === 'failed' ? r : undefined;
    });
    expect(run.failedStep).toBe('evaluate');
    expect(await champion('gate')).toBeNull();
    await expect(loadScoringModel(t.database.db, 'gate', 'gate@2026-12-01')).rejects.toThrow(
      'model gate: pipeline gate has no champion model',
    );
  });

  it('cpd models shows versions with aliases and the decision trail; cpd promote overrides and is recorded', async () => {
    const text = await runCpd(['models', 'reg'], t.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`v${n(versions.renamed)}`);
    expect(text.stdout).toMatch(new RegExp(`v${n(versions.renamed)}\\s+\\[champion\\]`));
    expect(text.stdout).toContain(`kept v${n(versions.first)}`);
    expect(text.stdout).toContain(`< −0.005 allowed) → kept v${n(versions.first)}`);

    const res = await runCpd(
      ['promote', 'reg', `v${n(versions.first)}`, '--by', 'alice', '--reason', 'back to the simple model'],
      t.env,
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`reg: v${n(versions.first)} is now champion (was v${n(versions.renamed)})`);
    expect(await champion()).toBe(versions.first);

    const json = await runCpd(['models', 'reg', '--json'], t.env);
    const out = JSON.parse(json.stdout.trim()) as {
      versions: { version: number; aliases: string[] }[];
      decisions: {
        decidedBy: string;
        actor: string;
        reason: string;
        championVersion: number;
        resultVersion: number;
      }[];
    };
    expect(out.versions.map((v) => v.version)).toEqual(
      [versions.renamed, versions.better, versions.worse, versions.first].map(n),
    );
    expect(out.versions.find((v) => v.version === n(versions.first))!.aliases).toEqual(['champion']);
    expect(out.decisions[0]).toMatchObject({
      decidedBy: 'user',
      actor: 'alice',
      championVersion: n(versions.renamed),
      resultVersion: n(versions.first),
    });
    expect(out.decisions[0]!.reason).toContain(
      'manual promotion by alice: back to the simple model; replaces v',
    );
    expect(out.decisions).toHaveLength(5);

    const again = await runCpd(['promote', 'reg', String(n(versions.first))], t.env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`v${n(versions.first)} is already the champion of reg`);
    // Numbers count per pipeline: reg and gate both have a v1, so a bare number is ambiguous.
    const ambiguous = await runCpd(['promote', 'v1'], t.env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toContain('v1 exists in 2 pipelines (');
    const none = await runCpd(['promote', 'reg', '999999'], t.env);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no model version v999999 of reg');
  }, 300_000);
});
