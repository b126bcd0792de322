import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import type { RawLine } from '../cleaning/clean-rules.ts';
import { PermanentError } from '../errors.ts';
import { addDays } from '../features/cutoffs.ts';
import type { QualityFacts } from './evaluate-checks.ts';

/** raw_transactions fields a null-rate check may name, and where the clean pass's line holds them (description is not read by the pass). */
const NULLABLE: Record<string, number | null> = {
  invoice: 3,
  product_code: 4,
  description: null,
  quantity: 5,
  unit_price: 6,
  customer_id: 1,
  country: 8,
};

export interface FactsCollector {
  /** Sees every raw line of the pipeline once (the clean pass calls it). */
  observe(line: RawLine): void;
  facts(conn: PoolConnection, linesRead: number, duplicates: number): Promise<QualityFacts>;
}

/**
 * The data facts of a transactions run, gathered during the clean pass instead of another scan of
 * the raw lines: row count = lines dated in the 7 days before the cutoff (tonight's volume, whatever
 * the files were), null rates over all lines (a null or empty text, a null number), freshness = days
 * from the latest line before the cutoff to the cutoff.
 */
export function transactionFacts(pipeline: TransactionsPipeline, cutoff: string): FactsCollector {
  const columns = pipeline.quality.flatMap((c, i) => {
    if (c.check !== 'null-rate') return [];
    if (!(c.column in NULLABLE))
      throw new PermanentError(
        `quality[${i}].column: "${c.column}" is not one of ${Object.keys(NULLABLE).join(', ')}`,
        { column: c.column },
      );
    return [c.column];
  });
  const inPass = columns.filter((c) => NULLABLE[c] !== null);
  const nulls = new Map(inPass.map((c) => [c, 0]));
  const end = `${cutoff} 00:00:00`;
  const from = `${addDays(cutoff, -7)} 00:00:00`;
  let recent = 0;
  let latest: string | null = null;
  return {
    observe(line) {
      const at = line[2];
      if (at < end) {
        if (at >= from) recent++;
        if (latest === null || at > latest) latest = at;
      }
      for (const c of inPass) {
        const v = line[NULLABLE[c]!];
        if (v === null || v === '') nulls.set(c, nulls.get(c)! + 1);
      }
    },
    async facts(conn, linesRead, duplicates) {
      // description is the one column the pass does not read: one narrow query when a check asks for it.
      for (const c of columns.filter((x) => NULLABLE[x] === null)) {
        const [rows] = await conn.query(
          `SELECT SUM(${c} IS NULL OR ${c} = '') AS n FROM raw_transactions WHERE pipeline = ?`,
          [pipeline.name],
        );
        nulls.set(c, Number((rows as { n: string | null }[])[0]?.n ?? 0));
      }
      const seconds =
        latest === null
          ? null
          : (Date.parse(`${cutoff}T00:00:00Z`) - Date.parse(`${latest.replace(' ', 'T')}Z`)) / 1000;
      return {
        rows: recent,
        nullRates: Object.fromEntries(
          columns.map((c) => [c, linesRead ? (nulls.get(c) ?? 0) / linesRead : 0]),
        ),
        duplicateRate: linesRead ? duplicates / linesRead : 0,
        // Four decimals, as MySQL's division gave before the pass took this over.
        freshnessDays: seconds === null ? null : Math.round((seconds / 86400) * 10_000) / 10_000,
      };
    },
  };
}
