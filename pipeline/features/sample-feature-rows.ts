import type { ExploratorySample } from '../../reports/gather/gather-exploratory.ts';

/**
 * Labeled mode's exploratory sample: labeled train and validation vectors of feature_rows, read as
 * Float64 little-endian (a driver Buffer may not be 8-byte aligned).
 */
export const sampleFeatureRows: ExploratorySample = async (pool, runKey, { names }, limit) => {
  const [result] = await pool.query(
    `SELECT label, vec FROM feature_rows WHERE run_key = ? AND role IN ('train', 'valid') AND label IS NOT NULL LIMIT ${Math.floor(limit)}`,
    [runKey],
  );
  const rows = result as { label: number | null; vec: Buffer }[];
  const width = names.length;
  const columns = Array.from({ length: width }, () => new Float64Array(rows.length));
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, r) => {
    labels[r] = row.label === 1 ? 1 : 0;
    for (let c = 0; c < width && (c + 1) * 8 <= row.vec.length; c++)
      columns[c]![r] = row.vec.readDoubleLE(c * 8);
  });
  return { labels, columns };
};
