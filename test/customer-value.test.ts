import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransactionsPipeline } from '../config/pipeline.ts';
import { parseJsonValue } from '../db/json-column.ts';
import { clean } from '../jobs/clean.ts';
import { features } from '../jobs/features.ts';
import { createRng } from '../ml/random.ts';
import { pAlive } from '../ml/value/bg-nbd.ts';
import { sampleGamma } from '../ml/value/simulate.ts';
import type { CustomerValueRecord } from '../pipeline/features/build-customer-features.ts';
import { snapshotsFor } from '../pipeline/features/cutoffs.ts';
import { stageCustomerAggregates } from '../pipeline/features/stage-customer-aggregates.ts';
import { HistoryCollector } from '../pipeline/value/history-collector.ts';
import { insertLines, type Line, stepContext, transactionsPipeline } from './helpers/features-context.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

// T = 2024-07-01, H = 91 days: score at T, validate at 2024-04-01, train at 2024-01-01.
const T = '2024-07-01';
const pipeline = transactionsPipeline('value', { label: { horizonDays: 91, snapshots: 1 } });
const START = Date.parse('2022-07-01T00:00:00Z');
const DAY = 86_400_000;

/**
 * 1,500 customers from BG/NBD itself, in days (r = 0.5, α = 30 days, a = 0.8, b = 2.5), first
 * purchases over two years; some days hold two invoices (same-day orders must count once).
 */
function simulatedLines(): Line[] {
  const rng = createRng(5);
  const lines: Line[] = [];
  let invoice = 100_000;
  for (let c = 0; c < 1_500; c++) {
    const id = `C${String(c).padStart(4, '0')}`;
    const lambda = sampleGamma(rng, 0.5) / 30;
    const g = sampleGamma(rng, 0.8);
    const p = g / (g + sampleGamma(rng, 2.5));
    let day = Math.floor(rng.next() * 720);
    const price = 5 + Math.floor(sampleGamma(rng, 4) * 5);
    for (;;) {
      const at = new Date(START + day * DAY + 10 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      lines.push([String(invoice++), 'P1', 1 + (c % 3), at, price, id, 'United Kingdom']);
      if (c % 7 === 0)
        lines.push([String(invoice++), 'P2', 1, at.replace(' 10:', ' 15:'), 3, id, 'United Kingdom']);
      day += Math.max(1, Math.round(-Math.log(1 - rng.next()) / lambda));
      if (day >= 740 || rng.next() < p) break;
    }
  }
  return lines;
}

describe('customer value in the features step', () => {
  let t: TestEnv;
  const lines = simulatedLines();
  beforeAll(async () => {
    t = await createTestEnv('value');
    await insertLines(t, pipeline.name, lines);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('fits every snapshot on its own history, writes the figures and adds P(alive) and expected orders to the model', async () => {
    const ctx = stepContext(t, pipeline, T);
    await clean.handler(ctx);
    const res = await features.handler(ctx);
    expect(res.details?.warnings).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/customer value/)]),
    );
    const [[set]] = (await t.database.pool.query(
      'SELECT feature_names, customer_value FROM feature_sets WHERE run_key = ?',
      [ctx.run.runKey],
    )) as unknown as [{ feature_names: string; customer_value: string }[]];
    expect(parseJsonValue<string[]>(set!.feature_names)).toEqual(
      expect.arrayContaining(['p_alive', 'expected_orders']),
    );
    const record = parseJsonValue<CustomerValueRecord>(set!.customer_value);
    expect(record.unit).toBe('week');
    expect(record.classifierFeatures).toBe(true);
    expect(record.snapshots.map((s) => [s.role, s.cutoff])).toEqual([
      ['score', '2024-07-01'],
      ['valid', '2024-04-01'],
      ['train', '2024-01-01'],
    ]);
    const score = record.snapshots[0]!;
    // α in weeks: the simulation's 30 days are about 4.3 weeks; r about 0.5 (broad: 1,500 customers).
    expect(score.bgNbd!.alpha).toBeGreaterThan(2.5);
    expect(score.bgNbd!.alpha).toBeLessThan(7);
    expect(score.bgNbd!.r).toBeGreaterThan(0.3);
    expect(score.bgNbd!.r).toBeLessThan(0.8);
    expect(score.gammaGamma).not.toBeNull();
    // Each snapshot sees fewer customers than the next: nothing after its cutoff was read.
    expect(record.snapshots[2]!.customers).toBeLessThan(record.snapshots[1]!.customers);
    expect(record.snapshots[1]!.customers).toBeLessThan(score.customers);
    const ev = record.snapshots[1]!.evaluation!;
    expect(ev.tracking).toHaveLength(13);
    expect(Number.isFinite(ev.ordersMae)).toBe(true);
    expect(ev.revenueDeciles).toHaveLength(10);

    // One customer's P(alive) worked out from its lines: purchase days before T, same day once.
    const days = (id: string) =>
      [...new Set(lines.filter((l) => l[5] === id && l[3] < T).map((l) => l[3].slice(0, 10)))].sort();
    const [[row]] = (await t.database.pool.query(
      `SELECT customer_id, p_alive, expected_orders, expected_spend, clv_12m, next_order_days FROM customer_features
       WHERE run_key = ? AND role = 'score' AND customer_id = (
         SELECT customer_id FROM customer_features WHERE run_key = ? AND role = 'score' AND frequency >= 4 ORDER BY customer_id LIMIT 1)`,
      [ctx.run.runKey, ctx.run.runKey],
    )) as unknown as [Record<string, number | string>[]];
    const d = days(String(row!.customer_id));
    const dayNo = (s: string) => Date.parse(`${s}T00:00:00Z`) / DAY;
    const x = d.length - 1;
    const tx = (dayNo(d.at(-1)!) - dayNo(d[0]!)) / 7;
    const Tw = (dayNo(T) - dayNo(d[0]!)) / 7;
    expect(Number(row!.p_alive)).toBeCloseTo(pAlive(score.bgNbd!, x, tx, Tw), 9);
    for (const k of ['expected_orders', 'expected_spend', 'clv_12m', 'next_order_days'])
      expect(Number(row![k])).toBeGreaterThan(0);

    const [[nulls]] = (await t.database.pool.query(
      'SELECT SUM(p_alive IS NULL) AS a, SUM(clv_12m IS NULL) AS c, SUM(p_alive < 0 OR p_alive > 1) AS o FROM customer_features WHERE run_key = ?',
      [ctx.run.runKey],
    )) as unknown as [{ a: string; c: string; o: string }[]];
    expect([Number(nulls!.a), Number(nulls!.c), Number(nulls!.o)]).toEqual([0, 0, 0]);
  });

  it('collects every snapshot’s histories from the aggregates’ one pass exactly as the grouped SQL defines them', async () => {
    const runKey = `${pipeline.name}@${T}`;
    const snaps = snapshotsFor(pipeline as TransactionsPipeline, T);
    const conn = await t.database.pool.getConnection();
    try {
      const collector = new HistoryCollector(snaps);
      await stageCustomerAggregates(conn, t.database.pool, runKey, snaps, 'tmp_agg', collector);
      const scanned = collector.done();
      for (const [k, snap] of snaps.entries()) {
        // The definition: per customer, purchase days before the cutoff (orders on a day are one).
        const [rows] = await conn.query(
          {
            sql: `SELECT customer_id, COUNT(*) - 1, DATEDIFF(MAX(day), MIN(day)), DATEDIFF(?, MIN(day)),
                    COALESCE((SUM(amount) - SUBSTRING_INDEX(MIN(CONCAT(day, '|', amount)), '|', -1)) / NULLIF(COUNT(*) - 1, 0), 0)
                  FROM (SELECT customer_id, DATE(ordered_at) AS day, SUM(amount) AS amount FROM clean_orders
                        WHERE run_key = ? AND is_cancel = 0 AND ordered_at < ? GROUP BY customer_id, DATE(ordered_at)) d
                  GROUP BY customer_id ORDER BY customer_id`,
            rowsAsArray: true,
          },
          [snap.cutoff, runKey, `${snap.cutoff} 00:00:00`],
        );
        const want = rows as [string, number, number, number, string][];
        const got = scanned[k]!;
        expect(got.ids).toEqual(want.map((r) => r[0]));
        want.forEach(([, x, tx, tt, m], i) => {
          expect([got.h.x[i], got.h.tx[i], got.h.T[i]]).toEqual([Number(x), Number(tx), Number(tt)]);
          expect(got.h.m[i]).toBeCloseTo(Number(m), 6);
        });
        if (!snap.labelEnd) {
          expect(got.actual).toBeNull();
          continue;
        }
        // What the customers known at the cutoff bought in the label window, by purchase day.
        const [win] = await conn.query(
          {
            sql: `SELECT customer_id, COUNT(*), SUM(amount) FROM (SELECT customer_id, DATE(ordered_at) AS day, SUM(amount) AS amount
                  FROM clean_orders WHERE run_key = ? AND is_cancel = 0 AND ordered_at >= ? AND ordered_at < ?
                  GROUP BY customer_id, DATE(ordered_at)) d GROUP BY customer_id`,
            rowsAsArray: true,
          },
          [runKey, `${snap.cutoff} 00:00:00`, `${snap.labelEnd} 00:00:00`],
        );
        const at = new Map(got.ids.map((id, i) => [id, i]));
        let known = 0;
        for (const [id, orders, revenue] of win as [string, number, string][]) {
          const i = at.get(id);
          if (i === undefined) continue;
          known += Number(orders);
          expect(got.actual!.orders[i]).toBe(Number(orders));
          expect(got.actual!.revenue[i]).toBeCloseTo(Number(revenue), 6);
        }
        expect(known).toBeGreaterThan(0);
        expect(got.actual!.orders.reduce((a, b) => a + b, 0)).toBe(known);
        expect(got.actual!.weekly.reduce((a, b) => a + b, 0)).toBe(known);
      }
    } finally {
      conn.release();
    }
  });
});
