import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherBrief } from '../reports/gather/gather-brief.ts';
import { CSV_ROWS, gatherScores } from '../reports/gather/gather-scores.ts';
import { targetFloor } from '../reports/gather/scores-summary.ts';
import { tonightScores } from '../reports/gather/tonight-scores.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-20';
const LIMIT = 1_200;
const OPTIONS = {
  topN: 20,
  movers: 5,
  attachRows: LIMIT,
  glossary: {},
  shares: { top: 0.1, next: 0.2 },
};

interface Seeded {
  id: string;
  score: number | null;
  segment: string;
  known: number;
}

/**
 * 4,000 rows whose scores come from few values (ties everywhere, also across the list's cut and
 * on histogram bin edges), customer ids of different lengths (so the tie order is the ids'
 * collation order, not their numbers), known outcomes and unscored rows among them.
 */
function night(
  scoreOf: (i: number) => number | null,
  segmentOf: (i: number, rank: number) => string,
): Seeded[] {
  const rows = Array.from({ length: 4_000 }, (_, i) => ({
    id: `c${(i * 7919) % 4_001}`,
    score: scoreOf(i),
    known: i % 13 === 0 ? 1 : 0,
  }));
  const ranked = [...rows].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const rank = new Map(ranked.map((r, k) => [r.id, k]));
  return rows.map((r, i) => ({ ...r, segment: segmentOf(i, rank.get(r.id)!) }));
}

const bySegmentRank = (_: number, rank: number) => (rank < 400 ? 'high' : rank < 1_600 ? 'medium' : 'low');
/** Scores on a grid of 1/40: two values per histogram bin, one of them its lower edge. */
const gridScore = (i: number) => (i % 97 === 0 ? null : ((i * 31) % 40) / 40);

describe('the score lists read in one pass and one ordered read', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('scorelists');
  });
  afterAll(async () => t?.cleanup());

  async function seed(pipeline: string, rows: Seeded[]): Promise<string> {
    const runKey = `${pipeline}@${DATE}`;
    await t.database.pool.query(
      `INSERT INTO customer_scores_template (pipeline, customer_id, score, decile, segment, model_version, run_key, business_date, reasons, known_outcome, p_alive, expected_revenue)
       VALUES ?`,
      [
        rows.map((r, i) => [
          pipeline,
          r.id,
          r.score,
          1 + (i % 10),
          r.segment,
          1,
          runKey,
          DATE,
          JSON.stringify([{ feature: 'f', contribution: 0.1, sentence: `Customer ${r.id} buys often.` }]),
          r.known,
          0.9,
          i % 5,
        ]),
      ],
    );
    return runKey;
  }

  /** What the report read before, one query per figure: the reference the lists must equal. */
  async function reference(pipeline: string, runKey: string) {
    const q = async (sql: string, params: unknown[]) =>
      (await t.database.pool.query(sql, params))[0] as Record<string, unknown>[];
    const unknown = 'pipeline = ? AND run_key = ? AND score IS NOT NULL AND known_outcome = 0';
    const list = await q(
      `SELECT customer_id FROM customer_scores WHERE ${unknown} AND segment IN ('high', 'medium')
        ORDER BY score DESC, customer_id LIMIT ${LIMIT}`,
      [pipeline, runKey],
    );
    const csv = await q(
      `SELECT customer_id FROM customer_scores WHERE ${unknown} ORDER BY score DESC, customer_id LIMIT ${CSV_ROWS}`,
      [pipeline, runKey],
    );
    const segments = await q(
      `SELECT segment, COUNT(*) AS n, COALESCE(SUM(score), 0) AS buyers, MIN(score) AS min_score, SUM(expected_revenue) AS revenue
         FROM customer_scores WHERE pipeline = ? AND run_key = ? AND known_outcome = 0 GROUP BY segment`,
      [pipeline, runKey],
    );
    const bins = await q(
      `SELECT LEAST(FLOOR(score * 20), 19) AS b, COUNT(*) AS n FROM customer_scores
        WHERE pipeline = ? AND run_key = ? AND score IS NOT NULL GROUP BY b`,
      [pipeline, runKey],
    );
    return { list: list.map((r) => r.customer_id), csv: csv.map((r) => r.customer_id), segments, bins };
  }

  async function gathered(pipeline: string, runKey: string) {
    const tonight = await tonightScores(t.database.pool, pipeline, runKey, Math.max(LIMIT, CSV_ROWS));
    const scores = await gatherScores(t.database.pool, runKey, pipeline, DATE, tonight);
    const brief = await gatherBrief(t.database.pool, runKey, pipeline, DATE, OPTIONS, tonight);
    return { tonight, scores, brief: brief! };
  }

  it('keeps the order score DESC, customer_id across ties, the bin floor and the CSV taken from the list', async () => {
    const rows = night(gridScore, bySegmentRank);
    const runKey = await seed('grid', rows);
    const want = await reference('grid', runKey);
    const got = await gathered('grid', runKey);

    // The floor is a bin above the first: the list sorted fewer rows than the target set holds.
    expect(targetFloor(got.tonight.summary, LIMIT)).toBeGreaterThan(1);
    expect(got.brief.list.map((c) => c.customerId)).toEqual(want.list);
    expect(got.scores.scoredCustomers?.map((c) => c.customerId)).toEqual(want.csv);
    // Ties straddle the cut: the last listed score is also the first left out.
    const last = got.brief.list.at(-1)!.score;
    expect(rows.filter((r) => r.score === last && !r.known && r.segment !== 'low').length).toBeGreaterThan(
      got.brief.list.filter((c) => c.score === last).length,
    );

    for (const code of ['high', 'medium', 'low'] as const) {
      const ref = want.segments.find((s) => s.segment === code)!;
      const seg = got.brief.segments.find((s) => s.code === code)!;
      expect(seg.customers).toBe(Number(ref.n));
      expect(seg.expectedBuyers).toBe(Number(ref.buyers));
      expect(seg.minScore).toBe(Number(ref.min_score));
      expect(seg.expectedRevenue).toBe(Number(ref.revenue));
    }
    expect(got.brief.population).toBe(rows.filter((r) => !r.known).length);
    const counts = new Map(want.bins.map((b) => [Number(b.b), Number(b.n)]));
    expect(got.scores.scoreHistogram?.tonight.map((b) => b.count)).toEqual(
      Array.from({ length: 20 }, (_, b) => counts.get(b) ?? 0),
    );
    expect(got.scores.knownOutcomes).toEqual({
      rows: rows.filter((r) => r.known).length,
      unknownRows: rows.filter((r) => !r.known).length,
    });
  });

  it('reads the CSV on its own when a row outside the target segments outscores the list', async () => {
    // Segments not cut by rank: every 50th row (ninth of fifty) is "low" whatever its score.
    const rows = night(gridScore, (i, rank) => (i % 50 === 9 ? 'low' : bySegmentRank(i, rank)));
    const runKey = await seed('mixed', rows);
    const want = await reference('mixed', runKey);
    const got = await gathered('mixed', runKey);

    expect(got.tonight.summary.maxOutsideTargets).toBeGreaterThan(got.tonight.targets[CSV_ROWS - 1]!.score);
    expect(got.brief.list.map((c) => c.customerId)).toEqual(want.list);
    expect(got.scores.scoredCustomers?.map((c) => c.customerId)).toEqual(want.csv);
    expect(want.csv).not.toEqual(want.list.slice(0, CSV_ROWS));
  });
});
