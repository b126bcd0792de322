import { defineStep } from './define-step.ts';
import { readFeatureMatrix } from './feature-matrix.ts';
import { loadScoringModel } from './model-store.ts';

/**
 * score: every scoring row gets its probability and decile. The pipeline's rows in
 * customer_scores are replaced in one transaction, so a reader sees last night's table or
 * tonight's, never a mix, and a rerun of the same run key gives the same table.
 */
export const score = defineStep({
  name: 'score',
  jobName: 'pipeline.score-customers',
  async handler({ run, db, pool, progress }) {
    const rows = await readFeatureMatrix(db, run.runKey, 'score');
    const { version, model } = await loadScoringModel(db, run.pipeline.name, run.runKey);
    const scores = model.predictProba(rows.columns);
    const deciles = decilesOf(scores);
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query('DELETE FROM customer_scores WHERE pipeline = ?', [run.pipeline.name]);
      for (let i = 0; i < rows.nRows; i += 2_000) {
        const batch: unknown[][] = [];
        for (let r = i; r < Math.min(i + 2_000, rows.nRows); r++) {
          batch.push([run.pipeline.name, rows.ids[r], scores[r], deciles[r], version.id, run.runKey, run.businessDate]);
        }
        await conn.query(
          'INSERT INTO customer_scores (pipeline, customer_id, score, decile, model_version, run_key, business_date) VALUES ?',
          [batch],
        );
        await progress(Math.round(((i + batch.length) / rows.nRows) * 100));
      }
      await conn.commit();
    } catch (err) {
      await conn.rollback();
      throw err;
    } finally {
      conn.release();
    }
    return { rowsIn: rows.nRows, rowsOut: rows.nRows, details: { modelVersion: version.id, table: 'customer_scores' } };
  },
});

/** Decile 1 holds the highest scores; ties keep input order, so the result is deterministic. */
export function decilesOf(scores: Float64Array): Uint8Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const out = new Uint8Array(n);
  order.forEach((idx, rank) => {
    out[idx] = Math.floor((rank * 10) / n) + 1;
  });
  return out;
}
