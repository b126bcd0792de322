import type { TransactionsPipeline } from '../../config/pipeline.ts';

export interface Snapshot {
  role: 'train' | 'valid' | 'score';
  /** First moment excluded from the features: `YYYY-MM-DD` at 00:00 shop time. */
  cutoff: string;
  /** End of the label window (exclusive); null for scoring rows, whose future is unknown. */
  labelEnd: string | null;
}

/**
 * The snapshots of a run at cutoff T with horizon H: score at T; validate at T − H (label window
 * [T − H, T), complete by T); train at T − 2H, …, T − (1 + snapshots)H. The split is by time, so
 * validation measures what production does: a model fitted on the past, judged on a later period.
 */
export function snapshotsFor(pipeline: TransactionsPipeline, businessDate: string): Snapshot[] {
  const t = pipeline.label.cutoff ?? businessDate;
  const h = pipeline.label.horizonDays;
  const out: Snapshot[] = [{ role: 'score', cutoff: t, labelEnd: null }];
  out.push({ role: 'valid', cutoff: addDays(t, -h), labelEnd: t });
  for (let k = 1; k <= pipeline.label.snapshots; k++) {
    out.push({ role: 'train', cutoff: addDays(t, -(k + 1) * h), labelEnd: addDays(t, -k * h) });
  }
  return out;
}

/** Calendar arithmetic on `YYYY-MM-DD` (UTC noon avoids any daylight-saving edge). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
