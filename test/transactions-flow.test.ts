import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALUE_COLUMNS } from '../pipeline/value/value-columns.ts';
import { type CpdProcess, repoRoot, runCpd, spawnCpd } from './helpers/processes.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const retailGz = path.join(repoRoot, 'data', 'online-retail-sample.csv.gz');

/** Every `step`-th line of the repository's Online Retail slice (header kept): the whole year. */
function writeRetailSlice(dir: string, step: number): { csv: string; pipeline: string } {
  const lines = gunzipSync(readFileSync(retailGz)).toString('utf8').split('\n');
  const [header, ...data] = lines;
  const csv = path.join(dir, 'retail-slice.csv');
  writeFileSync(csv, [header, ...data.filter((l, i) => l && i % step === 0)].join('\n') + '\n');
  const base = JSON.parse(
    readFileSync(path.join(repoRoot, 'config', 'pipelines', 'online-retail.json'), 'utf8'),
  ) as {
    sources: Record<string, unknown>[];
  };
  const pipeline = path.join(dir, 'retail.json');
  writeFileSync(
    pipeline,
    JSON.stringify({
      ...base,
      name: 'retail-test',
      sources: [{ ...base.sources[0], path: csv }],
      recipients: ['analyst@example.test'],
    }),
  );
  return { csv, pipeline };
}

describe('a transactions pipeline end to end', () => {
  let t: TestEnv;
  let worker: CpdProcess;

  beforeAll(async () => {
    t = await createTestEnv('txflow');
    worker = spawnCpd(['worker'], t.env);
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.cleanup();
  });

  it('loads, builds point-in-time features, trains, scores every active customer and reports', async () => {
    const { pipeline } = writeRetailSlice(t.tmp, 1);
    const res = await runCpd(
      ['run', '--pipeline', pipeline, '--date', '2011-09-10', '--wait', '--json'],
      t.env,
      600_000,
    );
    expect(res.code, res.stdout + res.stderr + worker.output()).toBe(0);
    const summary = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
      status: string;
      metrics: { rocAuc: number };
    };
    expect(['succeeded', 'degraded']).toContain(summary.status);
    expect(summary.metrics.rocAuc).toBeGreaterThan(0.6);

    const runKey = 'retail-test@2011-09-10';
    const [sets] = await t.database.pool.query('SELECT rows_score AS n FROM feature_sets WHERE run_key = ?', [
      runKey,
    ]);
    const population = Number((sets as { n: number }[])[0]!.n);
    expect(population).toBeGreaterThan(100);
    const [scored] = await t.database.pool.query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT customer_id) AS ids, MIN(decile) AS lo, MAX(decile) AS hi, SUM(reasons IS NULL) AS noReasons FROM customer_scores WHERE pipeline = 'retail-test'",
    );
    const s = (scored as { n: number; ids: number; lo: number; hi: number; noReasons: number }[])[0]!;
    if (summary.status === 'succeeded') {
      expect(Number(s.n)).toBe(population);
      expect(Number(s.ids)).toBe(population);
      expect([Number(s.lo), Number(s.hi)]).toEqual([1, 10]);
      expect(Number(s.noReasons)).toBe(0);
    }
    // Customer value: published beside the score for every customer, in the view and the history.
    const [value] = await t.database.pool.query(
      `SELECT SUM(p_alive IS NULL) AS missing, SUM(p_alive < 0 OR p_alive > 1) AS outside, SUM(expected_orders < 0) AS negative,
         (SELECT COUNT(*) FROM customer_score_history h WHERE h.pipeline = 'retail-test' AND h.p_alive IS NOT NULL) AS history
       FROM customer_scores WHERE pipeline = 'retail-test'`,
    );
    const v = (value as Record<string, string>[])[0]!;
    if (summary.status === 'succeeded')
      expect([Number(v.missing), Number(v.outside), Number(v.negative), Number(v.history)]).toEqual([
        0,
        0,
        0,
        population,
      ]);
    // Written from the spool beside each score: exactly the features step's figures, every column, bit for bit.
    const [differ] = await t.database.pool.query(
      `SELECT COUNT(*) AS n FROM customer_scores s JOIN customer_features f
         ON f.run_key = ? AND f.role = 'score' AND f.customer_id = s.customer_id
       WHERE s.pipeline = 'retail-test' AND NOT (${VALUE_COLUMNS.map((c) => `s.${c} <=> f.${c}`).join(' AND ')})`,
      [runKey],
    );
    if (summary.status === 'succeeded') expect(Number((differ as { n: number }[])[0]!.n)).toBe(0);
    // No customer first seen on or after T is scored.
    const [late] = await t.database.pool.query(
      `SELECT COUNT(*) AS n FROM customer_scores cs WHERE cs.pipeline = 'retail-test' AND NOT EXISTS (
         SELECT 1 FROM raw_transactions r WHERE r.pipeline = 'retail-test' AND r.customer_id = cs.customer_id AND r.invoiced_at < '2011-09-10')`,
    );
    expect(Number((late as { n: number }[])[0]!.n)).toBe(0);
    // Scored at T with features before T: no outcome is known yet, so every customer is a target
    // and no cross-fitted score was needed (labels of the score rows are all unknown).
    const [known] = await t.database.pool.query(
      `SELECT (SELECT SUM(known_outcome) FROM customer_scores WHERE pipeline = 'retail-test') AS marked,
              (SELECT COUNT(*) FROM customer_features WHERE run_key = ? AND role = 'score' AND label IS NOT NULL) AS labeled,
              (SELECT COUNT(*) FROM known_outcome_scores WHERE run_key = ?) AS oof`,
      [runKey, runKey],
    );
    expect((known as Record<string, unknown>[]).map((r) => Object.values(r).map(Number))).toEqual([
      [0, 0, 0],
    ]);
    const [mails] = await t.database.pool.query('SELECT kind, status FROM email_outbox WHERE run_key = ?', [
      runKey,
    ]);
    expect(mails).toEqual([{ kind: 'report', status: 'sent' }]);
  });
});
