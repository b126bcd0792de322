import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { modeOf } from '../modes/index.ts';
import { VALUE_COLUMNS } from '../pipeline/value/value-columns.ts';
import { insertLines, type Line, stepContext, transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

// T = 2024-07-01, H = 30: score at 07-01, validate at 06-01 (label [06-01, 07-01)), train at 05-02 (label [05-02, 06-01)).
const T = '2024-07-01';
const pipeline = transactionsPipeline('hand', { label: { horizonDays: 30, snapshots: 1 } });

const history: Line[] = [
  // A, United Kingdom
  ['1001', 'P1', 2, '2024-03-01 10:00:00', 5, 'A', 'United Kingdom'],
  ['1001', 'P2', 1, '2024-03-01 10:00:00', 20, 'A', 'United Kingdom'],
  ['1001', 'P2', 1, '2024-03-01 10:00:00', 20, 'A', 'United Kingdom'], // exact duplicate: dropped
  ['1001', 'POST', 1, '2024-03-01 10:00:00', 0, 'A', 'United Kingdom'], // zero price: dropped
  ['1002', 'P1', 1, '2024-06-15 00:00:00', 5, 'A', 'United Kingdom'],
  ['1003', 'P3', 1, '2024-07-01 00:00:00', 100, 'A', 'United Kingdom'], // exactly at T: label side, not a feature
  ['C1004', 'P1', -1, '2024-07-05 00:00:00', 5, 'A', 'United Kingdom'], // cancellation after T
  // B: first seen after T
  ['3001', 'P1', 1, '2024-07-02 00:00:00', 5, 'B', 'France'],
  // C, Germany
  ['2001', 'P5', 10, '2024-04-10 00:00:00', 2, 'C', 'Germany'],
  ['2009', 'P5', 20000, '2024-04-11 00:00:00', 1, 'C', 'Germany'], // extreme quantity: dropped
  ['C2010', 'P9', -1, '2024-04-12 00:00:00', 3, 'C', 'Germany'], // cancels a product never bought: dropped
  ['C2002', 'P5', -5, '2024-05-01 00:00:00', 2, 'C', 'Germany'], // netted cancellation
  ['2003', 'P6', 1, '2024-05-20 00:00:00', 50, 'C', 'Germany'],
  // E: first purchase exactly at the validation cutoff
  ['4001', 'P1', 1, '2024-06-01 00:00:00', 7, 'E', 'United Kingdom'],
  // no customer: dropped
  ['5001', 'P1', 1, '2024-05-05 00:00:00', 5, null, 'United Kingdom'],
];

type Row = Record<string, number | string | null>;

async function rows(t: TestEnv, runKey: string, role: string): Promise<Record<string, Row>> {
  const [r] = await t.database.pool.query(
    'SELECT * FROM customer_features WHERE run_key = ? AND role = ? ORDER BY customer_id',
    [runKey, role],
  );
  const out: Record<string, Row> = {};
  for (const row of r as Row[]) {
    // The customer-value columns are checked on their own (below and in customer-value.test.ts).
    const { run_key: _r, role: _o, cutoff: _c, ...all } = row;
    const rest = Object.fromEntries(Object.entries(all).filter(([k]) => !VALUE_COLUMNS.includes(k as never)));
    out[String(row.customer_id)] = Object.fromEntries(
      Object.entries(rest).map(([k, v]) => [
        k,
        typeof v === 'string' && k !== 'customer_id' && k !== 'country' ? Number(v) : v,
      ]),
    );
  }
  return out;
}

describe('transactions features on a hand-made history', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('feat_tx');
    await insertLines(t, pipeline.name, history);
  });
  afterAll(async () => t?.cleanup());

  it('cleans by the documented rules and counts every drop by reason', async () => {
    const res = await clean.handler(stepContext(t, pipeline, T));
    expect(res.details?.dropsByReason).toEqual({
      'no customer id': 1,
      'zero or negative price': 1,
      'extreme quantity': 1,
      'exact duplicate': 1,
      'cancellation without an earlier purchase': 1,
    });
    expect(res.rowsIn).toBe(history.length);
    expect(res.rowsOut! + res.rowsRejected!).toBe(res.rowsIn);
    // The quality facts come from the same pass: no line in the 7 days before T, 1 duplicate in 15 lines, the latest line before T on 06-15.
    const quality = res.details?.quality as { check: string; value: number | null }[];
    expect(Object.fromEntries(quality.map((q) => [q.check, q.value]))).toEqual({
      'row-count': 0,
      'duplicate-rate': 1 / 15,
      freshness: 16,
    });
  });

  it('a clean cut off mid-pass (step timeout, shutdown) leaves the previous output whole', async () => {
    const count = async () => {
      const [r] = await t.database.pool.query(
        'SELECT (SELECT COUNT(*) FROM clean_orders WHERE run_key = ?) AS orders, (SELECT COUNT(*) FROM clean_drops WHERE run_key = ?) AS drops',
        [`hand@${T}`, `hand@${T}`],
      );
      return (r as { orders: number; drops: number }[])[0];
    };
    const before = await count();
    const ctx = stepContext(t, pipeline, T);
    const stop = new AbortController();
    stop.abort(new Error('step timed out'));
    await expect(clean.handler({ ...ctx, signal: stop.signal })).rejects.toThrow('step timed out');
    expect(await count()).toEqual(before);
    expect(before).toEqual({ orders: 9, drops: 5 });
  });

  it('computes features and labels as worked out by hand', async () => {
    const ctx = stepContext(t, pipeline, T);
    const res = await features.handler(ctx);
    expect(res.details).toMatchObject({ rowsTrain: 2, rowsValid: 2, rowsScore: 3 });
    // Too little history for BG/NBD: warned, left out of the classifier, columns null (never NaN).
    expect(String(res.details?.warnings)).toMatch(
      /customer value: \d+ repeat buyers of \d+ customers, fewer than the 100 needed/,
    );
    const [nulls] = await t.database.pool.query(
      'SELECT COUNT(*) AS n FROM customer_features WHERE run_key = ? AND p_alive IS NULL AND expected_orders IS NULL AND clv_12m IS NULL',
      [ctx.run.runKey],
    );
    expect(Number((nulls as { n: number }[])[0]!.n)).toBe(7);
    const score = await rows(t, ctx.run.runKey, 'score');
    // B is first seen after T: not scored. The purchase at exactly T and the cancellation after T change nothing.
    expect(Object.keys(score)).toEqual(['A', 'C', 'E']);
    expect(score.A).toEqual({
      customer_id: 'A',
      label: null,
      recency_days: 16,
      frequency: 2,
      monetary: 35,
      avg_order_value: 17.5,
      max_order_value: 30,
      tenure_days: expect.closeTo(121 + 14 / 24, 6),
      orders_30: 1,
      spend_30: 5,
      orders_90: 1,
      spend_90: 5,
      mean_days_between_orders: expect.closeTo(105 + 14 / 24, 6),
      distinct_products: 2,
      cancellations: 0,
      trend: 0,
      country: 'United Kingdom',
    });
    expect(score.C).toEqual({
      customer_id: 'C',
      label: null,
      recency_days: 42,
      frequency: 2,
      monetary: 60,
      avg_order_value: 35,
      max_order_value: 50,
      tenure_days: 82,
      orders_30: 0,
      spend_30: 0,
      orders_90: 2,
      spend_90: 60,
      mean_days_between_orders: 40,
      distinct_products: 2,
      cancellations: 1,
      trend: 1,
      country: 'Germany',
    });
    expect(score.E).toMatchObject({
      recency_days: 30,
      frequency: 1,
      monetary: 7,
      mean_days_between_orders: null,
      orders_30: 1,
    });

    const valid = await rows(t, ctx.run.runKey, 'valid');
    // E's purchase at exactly the validation cutoff is not a feature there: E is not in that snapshot.
    expect(Object.keys(valid)).toEqual(['A', 'C']);
    expect(valid.A).toMatchObject({
      label: 1,
      frequency: 1,
      monetary: 30,
      recency_days: expect.closeTo(91 + 14 / 24, 6),
    });
    expect(valid.C).toMatchObject({ label: 0, frequency: 2, monetary: 60, cancellations: 1 });

    const train = await rows(t, ctx.run.runKey, 'train');
    expect(Object.keys(train)).toEqual(['A', 'C']);
    expect(train.A).toMatchObject({ label: 0, frequency: 1, monetary: 30 });
    // C's cancellation on 05-01 is before the cutoff 05-02: netted; its 05-20 order is the label.
    expect(train.C).toMatchObject({
      label: 1,
      frequency: 1,
      monetary: 10,
      cancellations: 1,
      distinct_products: 1,
    });
  });

  it("hands train/evaluate/score the rows through the mode's feature reader", async () => {
    const runKey = `hand@${T}`;
    const { readFeatures } = modeOf(pipeline);
    const score = await readFeatures(t.database, runKey, 'score');
    expect(score.ids).toEqual(['A', 'C', 'E']);
    const country = score.featureNames.indexOf('country');
    expect(score.categorical[country]).toBe(true);
    // Codes in sorted order of the run's countries: Germany 0, United Kingdom 1.
    expect(Array.from(score.columns[country]!)).toEqual([1, 0, 1]);
    const train = await readFeatures(t.database, runKey, 'train');
    expect(train.ids).toEqual(['A@2024-05-02', 'C@2024-05-02']);
    expect(Array.from(train.labels)).toEqual([0, 1]);
  });

  it('moving T forward never changes the features computed for an earlier T', async () => {
    const before = await rows(t, `hand@${T}`, 'score');
    // New data arrives after T, including a late cancellation of an old order; then the run at T + 30.
    await insertLines(
      t,
      pipeline.name,
      [
        ['1005', 'P7', 3, '2024-07-10 00:00:00', 4, 'A', 'United Kingdom'],
        ['C2011', 'P6', -1, '2024-07-12 00:00:00', 50, 'C', 'Germany'],
        ['6001', 'P1', 1, '2024-07-20 00:00:00', 5, 'F', 'Spain'],
      ],
      100,
    );
    const later = '2024-07-31';
    await clean.handler(stepContext(t, pipeline, later));
    await features.handler(stepContext(t, pipeline, later));
    // The later run's validation snapshot is at T: the same customers, the same features.
    const valid = await rows(t, `hand@${later}`, 'valid');
    const strip = (r: Record<string, Row>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ...v, label: null }]));
    expect(strip(valid)).toEqual(before);
    // And its label for A is known now: A bought at T (the purchase at exactly T belongs to the window).
    expect(valid.A?.label).toBe(1);
    // Rerunning the earlier T after the new data arrived gives the same table.
    await clean.handler(stepContext(t, pipeline, T));
    await features.handler(stepContext(t, pipeline, T));
    expect(await rows(t, `hand@${T}`, 'score')).toEqual(before);
  });
});
