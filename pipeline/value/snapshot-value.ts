import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { type Cell, chooseLoadMethod, encodeRows, loadTsv } from '../../db/load-infile.ts';
import {
  type BgNbdRecord,
  type GammaGammaRecord,
  type SpendHistories,
  type ValueModel,
  type ValueOptions,
  type ValuePredictions,
} from '../../ml/value/customer-value.ts';
import type { ValueEvaluation } from '../../ml/value/value-evaluation.ts';
import { evaluateValueOffThread, fitAndPredictValueOffThread } from '../../ml/value/value-off-thread.ts';
import type { Snapshot } from '../features/cutoffs.ts';
import { VALUE_COLUMNS } from './fill-value-columns.ts';

/** What the registry, the feature set and the report keep of one snapshot's value fit. */
export interface SnapshotValue {
  role: Snapshot['role'];
  cutoff: string;
  unit: ValueModel['unit'];
  customers: number;
  bgNbd: BgNbdRecord | null;
  gammaGamma: GammaGammaRecord | null;
  /** Which figures were written: a refused model leaves its columns null, never NaN. */
  written: { orders: boolean; spend: boolean };
  warnings: string[];
  /** The validation snapshot only: predictions at its cutoff against its (complete) label window. */
  evaluation?: ValueEvaluation;
}

export function valueOptions(pipeline: TransactionsPipeline): ValueOptions {
  const v = pipeline.value;
  return {
    unit: v.unit,
    horizonDays: pipeline.label.horizonDays,
    monthlyDiscount: v.monthlyDiscount,
    minRepeatBuyers: v.minRepeatBuyers,
    maxSpendCorrelation: v.maxSpendCorrelation,
  };
}

/**
 * Fits BG/NBD and Gamma-Gamma on the history strictly before the snapshot's cutoff (every customer
 * with a purchase by then), and writes each customer's figures into that snapshot's
 * customer_features rows. Nothing after the cutoff is read, except for the validation snapshot's
 * evaluation, which reads its own label window (complete before the run's cutoff).
 */
export async function fitSnapshotValue(
  conn: PoolConnection,
  runKey: string,
  snap: Snapshot,
  o: ValueOptions,
): Promise<SnapshotValue> {
  const { ids, h } = await readHistories(conn, runKey, snap.cutoff);
  // Minutes at a million customers: on a thread, so this worker keeps renewing its job lock.
  const { model, pred } = await fitAndPredictValueOffThread(h, o);
  const unset = pred.pAlive ? await writeFigures(conn, runKey, snap, ids, pred) : 0;
  const out: SnapshotValue = {
    role: snap.role,
    cutoff: snap.cutoff,
    unit: model.unit,
    customers: ids.length,
    bgNbd: model.bgNbd && {
      ...model.bgNbd.params,
      logLik: model.bgNbd.logLik,
      repeatBuyers: model.bgNbd.repeatBuyers,
    },
    gammaGamma: model.gammaGamma && {
      ...model.gammaGamma.params,
      logLik: model.gammaGamma.logLik,
      customers: model.gammaGamma.customers,
      frequencySpendCorrelation: model.gammaGamma.frequencySpendCorrelation,
    },
    written: { orders: pred.pAlive !== null, spend: pred.expectedSpend !== null },
    warnings: [
      ...model.warnings,
      ...(unset
        ? [
            `customer value: ${unset} figures were not finite (a numerical limit of the model) and are left empty`,
          ]
        : []),
    ].map((w) => `${snap.role}@${snap.cutoff}: ${w}`),
  };
  if (snap.labelEnd && snap.role === 'valid' && pred.expectedOrders)
    out.evaluation = await evaluateWindow(conn, runKey, snap, ids, h, model, pred, o.horizonDays);
  return out;
}

/**
 * Per customer at the cutoff: x = purchase days after the first (several orders on one day are
 * one transaction; cancellations are not purchases), tx and T = days from the first purchase day
 * to the last and to the cutoff, m = mean value of the repeat purchase days.
 */
async function readHistories(
  conn: PoolConnection,
  runKey: string,
  cutoff: string,
): Promise<{ ids: string[]; h: SpendHistories }> {
  const [rows] = await conn.query(
    {
      sql: `SELECT customer_id, COUNT(*) - 1 AS x, DATEDIFF(MAX(day), MIN(day)) AS tx, DATEDIFF(?, MIN(day)) AS t,
              COALESCE(SUM(CASE WHEN rn > 1 THEN amount END) / NULLIF(COUNT(*) - 1, 0), 0) AS m
            FROM (SELECT customer_id, day, amount, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day) AS rn
                  FROM (SELECT customer_id, DATE(ordered_at) AS day, SUM(amount) AS amount FROM clean_orders
                        WHERE run_key = ? AND is_cancel = 0 AND ordered_at < ?
                        GROUP BY customer_id, DATE(ordered_at)) d) r
            GROUP BY customer_id ORDER BY customer_id`,
      rowsAsArray: true,
    },
    [cutoff, runKey, `${cutoff} 00:00:00`],
  );
  const list = rows as [string, number | string, number | string, number | string, number | string][];
  const n = list.length;
  const h: SpendHistories = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    m: new Float64Array(n),
  };
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % YIELD_ROWS === 0) await yieldToLoop();
    const [id, x, tx, t, m] = list[i]!;
    ids[i] = String(id);
    h.x[i] = Number(x);
    h.tx[i] = Number(tx);
    h.T[i] = Number(t);
    h.m[i] = Number(m);
  }
  return { ids, h };
}

/** Rows between two yields to the event loop in the loops over every customer (a few ms each). */
const YIELD_ROWS = 20_000;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Loaded in this order: the predictions below are listed the same way. */
const FIGURES = VALUE_COLUMNS;

/**
 * One LOAD DATA into a temporary table, then one UPDATE … JOIN onto the snapshot's rows. A figure
 * that is not finite is written empty (NULL), never as NaN; returns how many were.
 */
async function writeFigures(
  conn: PoolConnection,
  runKey: string,
  snap: Snapshot,
  ids: string[],
  p: ValuePredictions,
): Promise<number> {
  const table = 'tmp_customer_value';
  await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${table}`);
  await conn.query(
    `CREATE TEMPORARY TABLE ${table} (customer_id VARCHAR(64) NOT NULL PRIMARY KEY, ${FIGURES.map((f) => `${f} DOUBLE NULL`).join(', ')})`,
  );
  const cols = [p.pAlive, p.expectedOrders, p.expectedSpend, p.expectedRevenue, p.clv12, p.nextOrderDays];
  let sent = 0;
  let unset = 0;
  const cell = (c: Float64Array | null, i: number): number | null => {
    if (!c) return null;
    if (Number.isFinite(c[i]!)) return c[i]!;
    unset++;
    return null;
  };
  async function* rows(): AsyncGenerator<Cell[]> {
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && i % YIELD_ROWS === 0) await yieldToLoop();
      sent++;
      yield [ids[i]!, ...cols.map((c) => cell(c, i))];
    }
  }
  const { method } = await chooseLoadMethod(conn, 'auto');
  await loadTsv(
    conn,
    { table, columns: ['customer_id', ...FIGURES] },
    encodeRows(rows()),
    method,
    () => sent,
  );
  await conn.query(
    `UPDATE customer_features f JOIN ${table} v ON v.customer_id = f.customer_id
     SET ${FIGURES.map((c) => `f.${c} = v.${c}`).join(', ')}
     WHERE f.run_key = ? AND f.role = ? AND f.cutoff = ?`,
    [runKey, snap.role, snap.cutoff],
  );
  await conn.query(`DROP TEMPORARY TABLE ${table}`);
  return unset;
}

/** Actual purchase days and purchase revenue per customer in [cutoff, labelEnd), and by week. */
async function evaluateWindow(
  conn: PoolConnection,
  runKey: string,
  snap: Snapshot,
  ids: string[],
  h: SpendHistories,
  model: ValueModel,
  pred: ValuePredictions,
  windowDays: number,
): Promise<ValueEvaluation> {
  const [rows] = await conn.query(
    {
      sql: `SELECT customer_id, DATEDIFF(DATE(ordered_at), ?) AS d, SUM(amount) AS amount FROM clean_orders
            WHERE run_key = ? AND is_cancel = 0 AND ordered_at >= ? AND ordered_at < ?
            GROUP BY customer_id, DATE(ordered_at)`,
      rowsAsArray: true,
    },
    [snap.cutoff, runKey, `${snap.cutoff} 00:00:00`, `${snap.labelEnd} 00:00:00`],
  );
  const at = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && i % YIELD_ROWS === 0) await yieldToLoop();
    at.set(ids[i]!, i);
  }
  const orders = new Float64Array(ids.length);
  const revenue = new Float64Array(ids.length);
  const weekly = new Float64Array(Math.ceil(windowDays / 7));
  // Only the customers the model knew at the cutoff: first buyers in the window are not repeat transactions.
  const list = rows as [string, number, string | number][];
  for (let r = 0; r < list.length; r++) {
    if (r > 0 && r % YIELD_ROWS === 0) await yieldToLoop();
    const [id, d, amount] = list[r]!;
    const i = at.get(String(id));
    if (i === undefined) continue;
    orders[i]! += 1;
    revenue[i]! += Number(amount);
    weekly[Math.min(weekly.length - 1, Math.floor(Number(d) / 7))]! += 1;
  }
  return evaluateValueOffThread({ model, pred }, h, { orders, weekly, revenue }, windowDays);
}
