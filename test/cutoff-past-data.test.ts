import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { PermanentError } from '../pipeline/errors.ts';
import { insertLines, type Line, stepContext, transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

// Purchases from 2024-01-02 to 2024-05-28: a business date past 2024-05-28 + 30 days cannot be labelled.
const lines: Line[] = Array.from({ length: 60 }, (_, i) => {
  const day = new Date(Date.UTC(2024, 0, 2 + Math.floor(i * 2.5)));
  return [`${100 + i}`, 'P1', 1, `${day.toISOString().slice(0, 10)} 10:00:00`, 5, `${1000 + (i % 12)}`, 'UK'];
});

describe('a cutoff past the data', () => {
  let t: TestEnv;
  const pipeline = transactionsPipeline('past', { label: { horizonDays: 30 } });
  beforeAll(async () => {
    t = await createTestEnv('cutoffpast');
    await insertLines(t, pipeline.name, lines);
  });
  afterAll(async () => t?.cleanup());

  it('is refused at features with a message naming the cutoff, the last purchase and the date to run', async () => {
    const ctx = stepContext(t, pipeline, '2026-11-29');
    await clean.handler(ctx);
    const err = await features.handler(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(
      /^the cutoff 2026-11-29 \(the business date \(--date\)\) is \d+ days after the data's last purchase \(2024-05-28\)/,
    );
    expect((err as Error).message).toContain('cpd run --date 2024-05-29');
    const [sets] = await t.database.pool.query('SELECT COUNT(*) AS n FROM feature_sets WHERE run_key = ?', [
      'past@2026-11-29',
    ]);
    expect(Number((sets as { n: number }[])[0]!.n)).toBe(0);
  });

  it('a business date within the data builds the features', async () => {
    const ctx = stepContext(t, pipeline, '2024-05-29');
    await clean.handler(ctx);
    const res = await features.handler(ctx).catch((e: unknown) => e);
    // Tiny data may trip a later guard; what matters is that the cutoff itself is not refused.
    if (res instanceof Error) expect(res.message).not.toMatch(/after the data's last purchase/);
  });
});
