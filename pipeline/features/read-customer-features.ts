import type { ExecuteValues, Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import type { FeatureRole } from '../../db/schema/index.ts';
import { PermanentError } from '../errors.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import { categoricalFeatures, customerFeatureNames } from './customer-feature-sql.ts';
import type { FeatureChunk, FeatureRange } from './feature-chunks.ts';
import type { FeatureMatrix, FeatureStore } from './feature-matrix-type.ts';

/**
 * Runs one parameterised query and returns its rows as arrays (columns in select order): a
 * million rows as objects with thirty keys each cost the score step seconds of garbage.
 */
export type QueryRows = (sql: string, params: unknown[]) => Promise<unknown[][]>;

/**
 * What feature_sets.encoders holds for transactions mode: the category codes and the cutoffs of each
 * role. (`layout` names the shape for a reader of the table; no code decides by it.)
 */
export interface CustomerFeatureLayout {
  layout: 'customer_features';
  /** The columns the model reads, in order (absent in runs before customer value: the base list). */
  features?: string[];
  categories: Record<string, string[]>;
  cutoffs: Record<'train' | 'valid' | 'score', string[]>;
}

const CHUNK = 20_000;

export interface CustomerFeaturePage {
  ids: string[];
  labels: number[];
  /** Column-major, NaN = missing. */
  columns: Float64Array[];
  nRows: number;
  /** With opts.value: the customer-value figures (VALUE_COLUMNS order, NaN = none). */
  value?: Float64Array[];
}

/**
 * Pages of one role of a run from customer_features, by cutoff then customer id (keyset pages on
 * the primary key). Score rows are identified by customer id; training and validation rows by
 * `customer@cutoff` (a customer appears once per snapshot). `sampleEvery` > 1 keeps the customers
 * whose CRC32 falls in 1/sampleEvery: the same customers on every run.
 */
export async function* readCustomerFeaturePages(
  query: QueryRows,
  runKey: string,
  role: 'train' | 'valid' | 'score',
  layout: CustomerFeatureLayout,
  opts: { sampleEvery?: number; chunkRows?: number; range?: FeatureRange; value?: boolean } = {},
): AsyncGenerator<CustomerFeaturePage> {
  const names = featuresOf(layout);
  const value = opts.value ? VALUE_COLUMNS : [];
  const codes = names.map((n) =>
    categoricalFeatures.has(n) ? new Map((layout.categories[n] ?? []).map((v, i) => [v, i])) : null,
  );
  const sampleEvery = opts.sampleEvery ?? 1;
  const chunk = Math.floor(opts.chunkRows ?? CHUNK);
  const sample = sampleEvery > 1 ? ` AND CRC32(customer_id) % ${Math.floor(sampleEvery)} = 0` : '';
  const through = opts.range?.through ?? null;
  const until = through === null ? '' : ' AND customer_id <= ?';
  for (const cutoff of layout.cutoffs[role]) {
    const fetch = (after: string): Promise<unknown[][]> => {
      const rows = query(
        `SELECT customer_id, label, ${[...names, ...value].join(', ')} FROM customer_features
         WHERE run_key = ? AND role = ? AND cutoff = ? AND customer_id > ?${until}${sample} ORDER BY customer_id LIMIT ${chunk}`,
        [runKey, role, cutoff, after, ...(through === null ? [] : [through])],
      );
      // Awaited in its turn; a reader that stops early leaves no unhandled rejection behind.
      rows.catch(() => undefined);
      return rows;
    };
    let next: Promise<unknown[][]> | null = fetch(opts.range?.after ?? '');
    while (next) {
      const rows: unknown[][] = await next;
      if (rows.length === 0) break;
      // The next page is read (on another pooled connection) while this one is converted.
      next = rows.length < chunk ? null : fetch(String(rows[rows.length - 1]![0]));
      const columns = names.map(() => new Float64Array(rows.length));
      const ids = new Array<string>(rows.length);
      const labels = new Array<number>(rows.length);
      const nf = names.length;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        ids[r] = role === 'score' ? String(row[0]) : `${String(row[0])}@${cutoff}`;
        labels[r] = Number(row[1]) === 1 ? 1 : 0;
        for (let j = 0; j < nf; j++) {
          const v = row[2 + j];
          const code = codes[j];
          columns[j]![r] =
            v === null || v === undefined ? NaN : code ? (code.get(String(v)) ?? NaN) : Number(v);
        }
      }
      const page: CustomerFeaturePage = { ids, labels, columns, nRows: rows.length };
      if (opts.value)
        page.value = VALUE_COLUMNS.map((_, v) =>
          Float64Array.from(rows, (row) => (row[2 + nf + v] === null ? NaN : Number(row[2 + nf + v]))),
        );
      yield page;
    }
  }
}

function featuresOf(layout: CustomerFeatureLayout): string[] {
  return [...(layout.features ?? customerFeatureNames)];
}

/** One role of a run from customer_features, whole, as the forest trains on it. */
export async function readCustomerFeatures(
  query: QueryRows,
  runKey: string,
  role: 'train' | 'valid' | 'score',
  layout: CustomerFeatureLayout,
  sampleEvery = 1,
): Promise<FeatureMatrix> {
  const names = featuresOf(layout);
  const pages: CustomerFeaturePage[] = [];
  for await (const page of readCustomerFeaturePages(query, runKey, role, layout, { sampleEvery }))
    pages.push(page);
  const n = pages.reduce((acc, p) => acc + p.nRows, 0);
  const columns = names.map((_, j) => {
    const col = new Float64Array(n);
    let at = 0;
    for (const p of pages) {
      col.set(p.columns[j]!, at);
      at += p.nRows;
    }
    return col;
  });
  return {
    featureNames: names,
    categorical: names.map((n) => categoricalFeatures.has(n)),
    ids: pages.flatMap((p) => p.ids),
    labels: Uint8Array.from(pages.flatMap((p) => p.labels)),
    columns,
    nRows: n,
  };
}

/** Transactions mode, train and evaluate: one role of a run, whole, with the layout its features step recorded. */
export async function readCustomerFeatureMatrix(
  { pool }: FeatureStore,
  runKey: string,
  role: FeatureRole,
): Promise<FeatureMatrix> {
  return readCustomerFeatures(poolQuery(pool), runKey, role, await readCustomerFeatureLayout(pool, runKey));
}

/** Transactions mode, scoring: one role of a run in pages of `chunkRows`, in readCustomerFeatureMatrix's order, scoring rows with their customer-value figures. */
export async function* readCustomerFeatureChunks(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  nFeatures: number,
  chunkRows: number,
  range?: FeatureRange,
): AsyncGenerator<FeatureChunk> {
  const layout = await readCustomerFeatureLayout(pool, runKey);
  for await (const page of readCustomerFeaturePages(poolQuery(pool), runKey, role, layout, {
    chunkRows,
    range,
    value: role === 'score',
  })) {
    if (page.columns.length !== nFeatures)
      throw new Error(
        `customer_features ${runKey}/${role}: ${page.columns.length} features, the model expects ${nFeatures}`,
      );
    yield { ids: page.ids, columns: page.columns, nRows: page.nRows, value: page.value };
  }
}

async function readCustomerFeatureLayout(pool: Pool, runKey: string): Promise<CustomerFeatureLayout> {
  const [rows] = await pool.query('SELECT encoders FROM feature_sets WHERE run_key = ?', [runKey]);
  const set = (rows as { encoders: unknown }[])[0];
  if (!set) throw new PermanentError(`no feature set for ${runKey}: the features step has not run`);
  return parseJsonValue<CustomerFeatureLayout>(set.encoders);
}

/**
 * Transactions mode: the ids that end each slice of `every` scoring rows (see
 * FeatureKeyBoundaries). Scoring rows have one cutoff, so customer id order is the page order.
 */
export async function customerFeatureBoundaries(
  pool: Pool,
  runKey: string,
  role: FeatureRole,
  every: number,
): Promise<string[]> {
  const layout = await readCustomerFeatureLayout(pool, runKey);
  if (layout.cutoffs[role].length > 1)
    throw new Error(
      `customer_features ${runKey}/${role}: a fan-out needs one cutoff, found ${layout.cutoffs[role].length}`,
    );
  const cutoff = layout.cutoffs[role][0];
  const out: string[] = [];
  if (cutoff === undefined) return out;
  const where = 'run_key = ? AND role = ? AND cutoff = ? AND customer_id > ?';
  for (let after = ''; ;) {
    const [rows] = await pool.query(
      `SELECT customer_id AS id FROM customer_features WHERE ${where} ORDER BY customer_id LIMIT 1 OFFSET ?`,
      [runKey, role, cutoff, after, every - 1],
    );
    const id = (rows as { id: string }[])[0]?.id;
    if (id === undefined) return out;
    const [more] = await pool.query(`SELECT 1 FROM customer_features WHERE ${where} LIMIT 1`, [
      runKey,
      role,
      cutoff,
      id,
    ]);
    if ((more as unknown[]).length === 0) return out;
    out.push(id);
    after = id;
  }
}

/**
 * Through the binary protocol: doubles arrive as the stored 8 bytes. The text protocol prints them
 * with at most 15 significant digits on MariaDB (1 − 1.1670001e−11 reads back as 0.99999999998833),
 * so a model would learn from, and the score step publish, slightly other numbers than are stored.
 */
function poolQuery(pool: Pool): QueryRows {
  return async (sql, params) =>
    (await pool.execute({ sql, rowsAsArray: true }, params as ExecuteValues[]))[0] as unknown[][];
}
