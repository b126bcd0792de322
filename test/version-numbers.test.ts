import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelVersions, runModels } from '../db/schema/index.ts';
import { makeSynthetic } from '../ml/datasets/synthetic.ts';
import { type Model, trainModel } from '../ml/engine.ts';
import { saveModelVersion } from '../pipeline/registry/model-store.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

/**
 * Version numbers count per pipeline and are taken in the transaction that stores the version:
 * concurrent saves of several pipelines never collide or deadlock, and a retried save of one run
 * keeps its number (real MySQL, one connection per save).
 */
describe('model version numbers', () => {
  let t: TestEnv;
  let model: Model;

  beforeAll(async () => {
    t = await createTestEnv('versionnumbers');
    model = await trainModel(makeSynthetic({ nRows: 300, seed: 1 }), { nTrees: 3, seed: 1 }, { threads: 1 });
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  const save = (pipeline: string, runKey: string) =>
    saveModelVersion(
      t.database.pool,
      {
        pipeline,
        runKey,
        engine: model.engine,
        params: {},
        featureNames: model.featureNames,
        dataFingerprint: 'seeded',
        trainRows: 300,
        fitMs: 0,
      },
      model,
    );

  it('concurrent saves of three pipelines number each 1..4; a retried save keeps its number', async () => {
    const pipelines = ['north', 'south', 'west'];
    const saved = await Promise.all(
      pipelines.flatMap((p) => [1, 2, 3, 4].map((night) => save(p, `${p}@2026-11-0${night}`))),
    );
    expect(saved).toHaveLength(12);
    for (const p of pipelines) {
      const rows = await t.database.db
        .select({ version: modelVersions.version })
        .from(modelVersions)
        .where(eq(modelVersions.pipeline, p));
      expect(rows.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    }
    const before = saved[5]!;
    const again = await save('south', 'south@2026-11-02');
    expect([again.id, again.version]).toEqual([before.id, before.version]);
    const next = await save('south', 'south@2026-11-05');
    expect(next.version).toBe(5);
    // Every run is linked to the version it trained.
    const links = await t.database.db.select().from(runModels).where(eq(runModels.pipeline, 'south'));
    expect(links).toHaveLength(5);
    expect(links.every((l) => !l.reused)).toBe(true);
  });
});
