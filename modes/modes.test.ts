import { describe, expect, it } from 'vitest';
import { parsePipeline, type Pipeline } from '../config/pipeline.ts';
import type { RunRecord } from '../pipeline/context.ts';
import { planRows } from '../pipeline/sources/contracts/row-plan.ts';
import { modeOf } from './index.ts';
import type { PipelineMode } from './mode.ts';

const labeled = parsePipeline(
  {
    name: 'shoppers',
    mode: 'labeled',
    sources: [{ kind: 'file', path: 'x.csv' }],
    columns: { label: { column: 'Revenue' } },
    model: { seed: 7, validationShare: 0.25 },
  },
  'test',
);
const transactions = parsePipeline(
  {
    name: 'retail',
    mode: 'transactions',
    sources: [{ kind: 'file', path: 'x.csv' }],
    columns: { customerId: 'CustomerID', timestamp: 'InvoiceDate', amount: 'Amount' },
    label: { horizonDays: 30, snapshots: 2 },
    model: { seed: 7 },
  },
  'test',
);
const run = (pipeline: Pipeline): RunRecord => ({
  runKey: `${pipeline.name}@2024-07-01`,
  pipeline,
  businessDate: '2024-07-01',
});

/** The staging columns a mode's row layout makes of a header. */
function stagingColumns(mode: PipelineMode, header: string[]): readonly string[] {
  return planRows({
    rowLayout: mode.load.rows,
    file: 'x.csv',
    header,
    contract: { columns: {}, minRows: 1 },
    nullTokens: [''],
    dateFormats: {},
    isoDates: false,
    delimiter: ',',
  }).columns;
}

describe('modeOf', () => {
  it("picks the mode by the pipeline's declared mode", () => {
    expect(modeOf(labeled).trainingWindow(run(labeled), { trainRows: 3, validRows: 1 }).mode).toBe('labeled');
    expect(modeOf(transactions).trainingWindow(run(transactions), { trainRows: 3, validRows: 1 }).mode).toBe(
      'transactions',
    );
    expect(stagingColumns(modeOf(labeled), ['Revenue', 'Region'])).toEqual(['line', 'cells']);
    expect(stagingColumns(modeOf(transactions), ['CustomerID', 'Note', 'InvoiceDate', 'Amount'])).toEqual([
      'line',
      'customer_id',
      '@skip',
      'invoiced_at',
      'amount',
    ]);
  });

  it('gives both modes every member of the interface', () => {
    for (const mode of [modeOf(labeled), modeOf(transactions)]) {
      for (const fn of [
        mode.clean,
        mode.features,
        mode.readFeatures,
        mode.readFeaturePages,
        mode.trainingWindow,
        mode.exploratorySample,
      ])
        expect(fn).toBeTypeOf('function');
      for (const fn of [
        mode.load.lock,
        mode.load.loadedVersion,
        mode.load.target,
        mode.load.supersede,
        mode.load.publish,
        mode.load.rows,
      ])
        expect(fn).toBeTypeOf('function');
    }
  });

  it('labeled mode stages its rows; transactions mode writes them straight into raw_transactions', () => {
    const tables = { rows: 'stg_load_x', rejects: 'stg_load_x_rej' };
    const file = { id: 7 } as Parameters<PipelineMode['load']['target']>[1];
    expect(modeOf(labeled).load.stagingColumns).toMatch(/^source_file_id INT NOT NULL, line INT NOT NULL, /);
    expect(modeOf(labeled).load.target(tables, file)).toEqual({
      table: 'stg_load_x',
      constants: { source_file_id: 7 },
    });
    expect(modeOf(transactions).load.stagingColumns).toBeUndefined();
    expect(modeOf(transactions).load.target(tables, file)).toMatchObject({
      table: 'raw_transactions',
      constants: { pipeline: transactions.name, source_file_id: 7 },
    });
  });
});

describe('labeled mode', () => {
  const mode = modeOf(labeled);

  it('allows k-fold CV: its rows are exchangeable examples', () => {
    expect(mode.kFold).toEqual({ allowed: true });
  });

  it('records the seeded split with a model version', () => {
    expect(mode.trainingWindow(run(labeled), { trainRows: 75, validRows: 25 })).toEqual({
      mode: 'labeled',
      businessDate: '2024-07-01',
      seed: 7,
      trainRows: 75,
      validRows: 25,
      validationShare: 0.25,
    });
  });

  it('loads every input whole: no pipeline lock, no loaded-files ledger', async () => {
    await expect(mode.load.lock(undefined as never)).resolves.toBeUndefined();
    await expect(mode.load.loadedVersion(undefined as never, undefined as never)).resolves.toBeUndefined();
  });
});

describe('transactions mode', () => {
  const mode = modeOf(transactions);

  it('refuses k-fold CV and says why', () => {
    expect(mode.kFold).toEqual({ allowed: false, reason: expect.stringContaining('would leak the future') });
  });

  it('records the time snapshots it trained and validated on with a model version', () => {
    expect(mode.trainingWindow(run(transactions), { trainRows: 200, validRows: 90 })).toEqual({
      mode: 'transactions',
      businessDate: '2024-07-01',
      seed: 7,
      trainRows: 200,
      validRows: 90,
      snapshots: [
        { role: 'valid', cutoff: '2024-06-01', labelEnd: '2024-07-01' },
        { role: 'train', cutoff: '2024-05-02', labelEnd: '2024-06-01' },
        { role: 'train', cutoff: '2024-04-02', labelEnd: '2024-05-02' },
      ],
    });
  });
});
