import { createLogger } from '../../config/logger.ts';
import type { Pipeline, TransactionsPipeline } from '../../config/pipeline.ts';
import { parsePipeline } from '../../config/pipeline.ts';
import { createMailer } from '../../reports/mailer.ts';
import type { StepContext } from '../../runner/step.ts';
import type { TestEnv } from './test-env.ts';

/** A real step context (real MySQL pool, logger, file mailer) for calling clean/features handlers directly. */
export function stepContext(t: TestEnv, pipeline: Pipeline, businessDate: string): StepContext {
  return {
    run: { runKey: `${pipeline.name}@${businessDate}`, pipeline, businessDate },
    attempt: 1,
    db: t.database.db,
    pool: t.database.pool,
    config: t.config,
    mailer: createMailer(t.config),
    log: createLogger(t.config),
    signal: new AbortController().signal,
    progress: async () => {},
  };
}

export function transactionsPipeline(
  name: string,
  extra: Record<string, unknown> = {},
): TransactionsPipeline {
  const p = parsePipeline(
    {
      name,
      mode: 'transactions',
      sources: [{ kind: 'file', path: 'x.csv' }],
      columns: {
        customerId: 'CustomerID',
        timestamp: 'InvoiceDate',
        quantity: 'Quantity',
        unitPrice: 'UnitPrice',
      },
      ...extra,
    },
    'test',
  );
  if (p.mode !== 'transactions') throw new Error('not a transactions pipeline');
  return p;
}

/** [invoice, product, quantity, invoicedAt, unitPrice, customer, country] */
export type Line = [string | null, string | null, number, string, number, string | null, string | null];

export async function insertLines(t: TestEnv, pipeline: string, lines: Line[], firstLine = 1): Promise<void> {
  const rows = lines.map(([inv, prod, qty, at, price, cust, country], i) => [
    pipeline,
    1,
    firstLine + i,
    inv,
    prod,
    qty,
    at,
    price,
    qty * price,
    cust,
    country,
  ]);
  await t.database.pool.query(
    'INSERT INTO raw_transactions (pipeline, source_file_id, line, invoice, product_code, quantity, invoiced_at, unit_price, amount, customer_id, country) VALUES ?',
    [rows],
  );
}
