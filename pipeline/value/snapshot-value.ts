import { setImmediate } from 'node:timers/promises';
import type { PoolConnection } from 'mysql2/promise';
import type { TransactionsPipeline } from '../../config/pipeline.ts';
import { chooseLoadMethod, escapeCell, loadTsv, TSV_PIECE_BYTES } from '../../db/load-infile.ts';
import {
  type BgNbdRecord,
  type GammaGammaRecord,
  type ValueFit,
  type ValueModel,
  type ValueOptions,
  type ValuePredictions,
} from '../../ml/value/customer-value.ts';
import type { ValueEvaluation } from '../../ml/value/value-evaluation.ts';
import { evaluateValueOffThread } from '../../ml/value/value-off-thread.ts';
import type { Snapshot } from '../features/cutoffs.ts';
import type { SnapshotHistories } from './history-collector.ts';
import { VALUE_COLUMNS } from './value-columns.ts';

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
 * Stages a snapshot's value figures for its customer_features rows (`table`, a temporary table
 * keyed by customer that the snapshot's INSERT … SELECT joins) and returns what the registry,
 * the feature set and the report keep of the fit. Nothing after the cutoff was read to fit,
 * except for the validation snapshot's evaluation, against its own label window (complete
 * before the run's cutoff). Returns a null table when the fit was refused (columns stay null).
 */
export async function stageSnapshotValue(
  conn: PoolConnection,
  snap: Snapshot,
  hist: SnapshotHistories,
  fit: ValueFit,
  table: string,
  o: ValueOptions,
): Promise<{ value: SnapshotValue; table: string | null }> {
  const { model, pred } = fit;
  const unset = pred.pAlive ? await stageFigures(conn, table, hist.ids, pred) : 0;
  const value: SnapshotValue = {
    role: snap.role,
    cutoff: snap.cutoff,
    unit: model.unit,
    customers: hist.ids.length,
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
  if (snap.role === 'valid' && hist.actual && pred.expectedOrders)
    value.evaluation = await evaluateValueOffThread(fit, hist.h, hist.actual, o.horizonDays);
  return { value, table: pred.pAlive ? table : null };
}

/** Rows between two yields to the event loop in the loops over every customer (a few ms each). */
const YIELD_ROWS = 20_000;

/**
 * One LOAD DATA into a temporary table keyed by customer. A figure that is not finite is
 * written empty (NULL), never as NaN; returns how many were.
 */
async function stageFigures(
  conn: PoolConnection,
  table: string,
  ids: string[],
  p: ValuePredictions,
): Promise<number> {
  await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${table}`);
  await conn.query(
    `CREATE TEMPORARY TABLE ${table} (customer_id VARCHAR(64) NOT NULL PRIMARY KEY, ${VALUE_COLUMNS.map((f) => `${f} DOUBLE NULL`).join(', ')})`,
  );
  // In VALUE_COLUMNS' order.
  const cols = [p.pAlive, p.expectedOrders, p.expectedSpend, p.expectedRevenue, p.clv12, p.nextOrderDays];
  let sent = 0;
  let unset = 0;
  // Lines written straight into ~256 KiB pieces, no array per row: a million customers' figures
  // were 5 s of this worker's time on top of the server's 3.5 s load.
  async function* text(): AsyncGenerator<string> {
    let piece = '';
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && i % YIELD_ROWS === 0) await setImmediate();
      let line = escapeCell(ids[i]!);
      for (const c of cols) {
        const v = c ? c[i]! : NaN;
        if (Number.isFinite(v)) line += `\t${v}`;
        else {
          if (c) unset++;
          line += '\t\\N';
        }
      }
      piece += `${line}\n`;
      sent++;
      if (piece.length >= TSV_PIECE_BYTES) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
  }
  const { method } = await chooseLoadMethod(conn, 'auto');
  await loadTsv(conn, { table, columns: ['customer_id', ...VALUE_COLUMNS] }, text(), method, () => sent);
  return unset;
}
