import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipeline, type Pipeline } from '../config/pipeline.ts';
import { clean } from '../jobs/clean.ts';
import { evaluate } from '../jobs/evaluate.ts';
import { features } from '../jobs/features.ts';
import { score } from '../jobs/score.ts';
import { train } from '../jobs/train.ts';
import { hashFold } from '../ml/evaluation/hash-folds.ts';
import { gatherScores } from '../reports/gather/gather-scores.ts';
import { customersSection } from '../reports/render/customers-section.ts';
import { stepContext } from './helpers/features-context.ts';
import { collectAndLoad } from './helpers/load-steps.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { createTestEnv, type TestEnv } from './helpers/test-env.ts';

const DATE = '2026-11-20';

/**
 * Labeled mode publishes every row, but only rows whose outcome is unknown are targets: labeled
 * rows carry their out-of-fold score and the known_outcome mark, and the report's lists skip them.
 */
describe('labeled mode: known outcomes are scored out-of-fold and never targeted', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv('known');
  });
  afterAll(async () => t?.cleanup());

  /**
   * Runs collect..score in-process for a shoppers slice whose every `blankEvery`-th label is empty;
   * `flipLine`: the data line (1-based) whose label is flipped.
   */
  async function night(name: string, blankEvery: number | null, flipLine?: number): Promise<Pipeline> {
    const { pipeline: file, csv } = writeShoppersSlice(
      t.tmp,
      1_500,
      { name, model: { engine: 'hist', nTrees: 30, seed: 42, validationShare: 0.2, crossFitFolds: 3 } },
      blankEvery,
    );
    if (flipLine !== undefined) {
      const lines = readFileSync(csv, 'utf8').split('\r\n');
      const row = lines[flipLine]!;
      lines[flipLine] = row.endsWith(',TRUE') ? row.replace(/TRUE$/, 'FALSE') : row.replace(/FALSE$/, 'TRUE');
      writeFileSync(csv, lines.join('\r\n'));
    }
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { pipeline } = await collectAndLoad(t.database, t.config, raw, DATE);
    for (const step of [clean, features, train, evaluate, score]) {
      await step.handler(stepContext(t, parsePipeline(raw, 'test'), DATE));
    }
    return pipeline;
  }

  it('marks labeled rows, publishes their out-of-fold scores, and lists only unknown outcomes', async () => {
    const p = await night('known-mix', 5);
    const runKey = `${p.name}@${DATE}`;
    const { pool } = t.database;
    const [published] = await pool.query(
      `SELECT s.customer_id AS id, s.score, s.known_outcome AS known, s.reasons, c.label, k.score AS oof
         FROM customer_scores s
         JOIN clean_rows c ON c.run_key = s.run_key AND c.row_id = s.customer_id
         LEFT JOIN known_outcome_scores k ON k.run_key = s.run_key AND k.entity_id = s.customer_id
        WHERE s.pipeline = ?`,
      [p.name],
    );
    const rows = published as {
      id: string;
      score: number;
      known: number;
      reasons: unknown;
      label: number | null;
      oof: number | null;
    }[];
    expect(rows.length).toBe(1_500);
    const unknown = rows.filter((r) => r.label === null);
    expect(unknown.length).toBe(300);
    for (const r of rows) {
      expect(r.known).toBe(r.label === null ? 0 : 1);
      // A labeled row's published score is its out-of-fold score, with no reasons from a model that did not give it.
      if (r.label !== null) {
        expect(r.score).toBe(r.oof);
        expect(r.reasons).toBeNull();
      } else expect(r.oof).toBeNull();
    }

    const sections = await gatherScores(pool, runKey, p.name, DATE);
    const unknownIds = new Set(unknown.map((r) => r.id));
    expect(sections.scoredCustomers?.length).toBe(300);
    for (const c of sections.scoredCustomers ?? []) expect(unknownIds.has(c.customerId)).toBe(true);
    for (const c of sections.topCustomers ?? []) expect(unknownIds.has(c.customerId)).toBe(true);
    expect(sections.knownOutcomes).toEqual({ rows: 1_200, unknownRows: 300 });

    // Drift compared the training rows with the rows to act on, not with a superset of themselves.
    const [drift] = await pool.query('SELECT DISTINCT reference FROM drift_results WHERE run_key = ?', [
      runKey,
    ]);
    expect((drift as { reference: string }[]).map((d) => d.reference)).toEqual([
      'train rows vs 300 rows of unknown outcome',
    ]);
  });

  it("out-of-fold through the pipeline: a row's published score does not change when its own label flips", async () => {
    // A labeled data line (every 5th from the first is blank) that the fold models fit on, not one
    // of the rows their calibrators take (by a hash of seed + 1 and id): its label reaches the
    // other folds' models, so the test can see that it does not reach its own. Data line n is
    // source row "sessions:<n + 1>" (line 1 is the header).
    const line = [...Array(100).keys()]
      .map((i) => i + 1)
      .find((n) => (n - 1) % 5 !== 0 && hashFold(`sessions:${n + 1}`, 43, 1000) >= 200)!;
    const a = await night('flip-a', 5);
    const b = await night('flip-b', 5, line);
    const read = async (p: Pipeline) => {
      const [rows] = await t.database.pool.query(
        `SELECT k.entity_id AS id, k.score, k.fold, c.label
           FROM known_outcome_scores k
           JOIN clean_rows c ON c.run_key = k.run_key AND c.row_id = k.entity_id
          WHERE k.run_key = ?`,
        [`${p.name}@${DATE}`],
      );
      return new Map(
        (rows as { id: string; score: number; fold: number; label: number }[]).map((r) => [r.id, r]),
      );
    };
    const before = await read(a);
    const after = await read(b);
    expect(after.size).toBe(1_200);
    const flipped = [...after.values()].filter((r) => before.get(r.id)!.label !== r.label);
    expect(flipped).toHaveLength(1);
    const row = flipped[0]!;
    expect(before.get(row.id)!.fold).toBe(row.fold);
    // Its own label never reached the model that scored it: the same score, to the last bit.
    expect(row.score).toBe(before.get(row.id)!.score);
    // The flip did reach the other folds' models (they trained on it): some of their scores moved.
    const others = [...after.values()].filter((r) => r.fold !== row.fold);
    expect(others.filter((r) => r.score !== before.get(r.id)!.score).length).toBeGreaterThan(0);
    // Rows of its own fold were scored by the same model as before: unchanged too.
    for (const r of after.values()) if (r.fold === row.fold) expect(r.score).toBe(before.get(r.id)!.score);

    // Data line 8 (sessions:9): flipping it moves other rows between the train and validation
    // roles, so the cross-fit gets its rows in another order; its score must not move either.
    const c = await read(await night('flip-c', 5, 8));
    expect(c.get('sessions:9')!.label).not.toBe(before.get('sessions:9')!.label);
    expect(c.get('sessions:9')!.score).toBe(before.get('sessions:9')!.score);
  });

  it('with every outcome known, the target list is empty and the report says so plainly', async () => {
    const p = await night('known-all', null);
    const sections = await gatherScores(t.database.pool, `${p.name}@${DATE}`, p.name, DATE);
    expect(sections.scoredCustomers).toEqual([]);
    expect(sections.knownOutcomes).toEqual({ rows: 1_500, unknownRows: 0 });
    const section = customersSection(sections as Parameters<typeof customersSection>[0]);
    expect(JSON.stringify(section)).toContain(
      'None: every one of the 1500 scored rows already has a known outcome',
    );
  });
});
