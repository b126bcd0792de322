import type { Pool } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { PermanentError } from '../errors.ts';
import { addDays } from './cutoffs.ts';

/**
 * Refuses a cutoff T so far past the data's last purchase L that the validation label window
 * [T − H, T) starts after it: no customer could be labelled "bought", so the run would only fail
 * later with "one class only" (or validate on nothing). Smaller gaps are the freshness check's.
 */
export async function refuseCutoffPastData(
  pool: Pool,
  runKey: string,
  pipeline: TransactionsPipeline,
  businessDate: string,
): Promise<void> {
  const [rows] = await pool.query(
    "SELECT DATE_FORMAT(MAX(ordered_at), '%Y-%m-%d') AS last FROM clean_orders WHERE run_key = ?",
    [runKey],
  );
  const last = (rows as { last: string | null }[])[0]?.last;
  if (!last) return;
  const message = cutoffPastDataMessage(pipeline, businessDate, last);
  if (message) throw new PermanentError(message);
}

/** The refusal for cutoff T and last purchase date `last`, or undefined when T is within reach of the data. */
export function cutoffPastDataMessage(
  pipeline: TransactionsPipeline,
  businessDate: string,
  last: string,
): string | undefined {
  const h = pipeline.label.horizonDays;
  const t = pipeline.label.cutoff ?? businessDate;
  if (addDays(last, h) >= t) return undefined;
  const which = pipeline.label.cutoff ? 'label.cutoff in the pipeline file' : 'the business date (--date)';
  const days = Math.round((Date.parse(t) - Date.parse(last)) / 86_400_000);
  return (
    `the cutoff ${t} (${which}) is ${days} days after the data's last purchase (${last}), more than ` +
    `label.horizonDays (${h}): the label window [${addDays(t, -h)}, ${t}) holds no data, so no customer ` +
    `can be labelled. Run a date on or before ${addDays(last, h)} (e.g. cpd run --date ${addDays(last, 1)}, ` +
    'the night after the last purchase), ' +
    'set label.cutoff, or load newer data'
  );
}
