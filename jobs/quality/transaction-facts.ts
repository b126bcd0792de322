import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { PermanentError } from '../errors.ts';
import type { QualityFacts } from './evaluate-checks.ts';

/** raw_transactions fields a null-rate check may name (a whitelist: the name goes into SQL). */
const NULLABLE = ['invoice', 'product_code', 'description', 'quantity', 'unit_price', 'customer_id', 'country'];

/**
 * The data facts of a transactions run, in one scan: row count = lines dated in the 7 days before
 * the cutoff (tonight's volume, whatever the files were), null rates over all lines, freshness =
 * days from the latest line before the cutoff to the cutoff.
 */
export async function transactionFacts(conn: PoolConnection, pipeline: TransactionsPipeline, cutoff: string, linesRead: number, duplicates: number): Promise<QualityFacts> {
  const columns = pipeline.quality.flatMap((c, i) => {
    if (c.check !== 'null-rate') return [];
    if (!NULLABLE.includes(c.column)) throw new PermanentError(`quality[${i}].column: "${c.column}" is not one of ${NULLABLE.join(', ')}`, { column: c.column });
    return [c.column];
  });
  const nulls = columns.map((c) => `, SUM(${c} IS NULL OR ${c} = '') AS \`null_${c}\``).join('');
  const [rows] = await conn.query(
    `SELECT SUM(invoiced_at >= ? - INTERVAL 7 DAY AND invoiced_at < ?) AS recent,
            TIMESTAMPDIFF(SECOND, MAX(CASE WHEN invoiced_at < ? THEN invoiced_at END), ?) / 86400 AS fresh${nulls}
     FROM raw_transactions WHERE pipeline = ?`,
    [cutoff, cutoff, cutoff, cutoff, pipeline.name],
  );
  const r = (rows as Record<string, unknown>[])[0] ?? {};
  return {
    rows: Number(r.recent ?? 0),
    nullRates: Object.fromEntries(columns.map((c) => [c, linesRead ? Number(r[`null_${c}`] ?? 0) / linesRead : 0])),
    duplicateRate: linesRead ? duplicates / linesRead : 0,
    freshnessDays: r.fresh === null || r.fresh === undefined ? null : Number(r.fresh),
  };
}
