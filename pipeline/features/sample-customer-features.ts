import type { ExploratorySample } from '../../reports/gather/gather-exploratory.ts';

/**
 * Transactions mode's exploratory sample: labeled train and validation rows of customer_features
 * (one per customer and cutoff), categories decoded back to their codes.
 */
export const sampleCustomerFeatures: ExploratorySample = async (
  pool,
  runKey,
  { names, categories },
  limit,
) => {
  // Names come from our own feature set, but they are spliced into SQL: only plain identifiers pass.
  if (!names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) return undefined;
  const [result] = await pool.query(
    `SELECT label, ${names.map((n) => `\`${n}\``).join(', ')} FROM customer_features
      WHERE run_key = ? AND role IN ('train', 'valid') AND label IS NOT NULL LIMIT ${Math.floor(limit)}`,
    [runKey],
  );
  const rows = result as Record<string, unknown>[];
  const codes = names.map((n) => new Map((categories[n] ?? []).map((v, i) => [v, i])));
  const columns = names.map((n, c) =>
    Float64Array.from(rows, (row) => {
      const v = row[n];
      if (v === null || v === undefined) return Number.NaN;
      return n in categories ? (codes[c]!.get(String(v)) ?? Number.NaN) : Number(v);
    }),
  );
  return { labels: Uint8Array.from(rows, (row) => (Number(row.label) === 1 ? 1 : 0)), columns };
};
