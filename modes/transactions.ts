import type { TransactionsPipeline } from '../config/pipeline.ts';
import { cleanOrders } from '../pipeline/cleaning/clean-orders.ts';
import { buildCustomerFeatures } from '../pipeline/features/build-customer-features.ts';
import { snapshotsFor } from '../pipeline/features/cutoffs.ts';
import {
  customerFeatureBoundaries,
  readCustomerFeatureChunks,
  readCustomerFeatureMatrix,
} from '../pipeline/features/read-customer-features.ts';
import { sampleCustomerFeatures } from '../pipeline/features/sample-customer-features.ts';
import { transactionRows } from '../pipeline/sources/contracts/transaction-rows.ts';
import {
  loadedVersion,
  rawTransactionsLedger,
  rawTransactionsTarget,
} from '../pipeline/sources/raw-transactions.ts';
import type { PipelineMode } from './mode.ts';

/**
 * Transactions mode: purchase lines that accumulate night after night in raw_transactions, shared
 * by every run of the pipeline (hence one load at a time, and unchanged inputs skipped through the
 * loaded-files ledger). Clean builds orders; features are one row per customer and time snapshot
 * in customer_features, labelled by what the customer bought after the snapshot's cutoff.
 */
export function transactionsMode(pipeline: TransactionsPipeline): PipelineMode {
  return {
    load: {
      stagingColumns: undefined,
      rows: transactionRows(pipeline),
      loadedVersion: (db, file) => loadedVersion(db, pipeline.name, file),
      target: rawTransactionsTarget(pipeline),
      ...rawTransactionsLedger(pipeline.name),
    },
    clean: (ctx) => cleanOrders(ctx, pipeline),
    features: (ctx) => buildCustomerFeatures(ctx, pipeline),
    readFeatures: readCustomerFeatureMatrix,
    readFeaturePages: readCustomerFeatureChunks,
    featureKeyBoundaries: customerFeatureBoundaries,
    trainingWindow: (run, rows, set) => ({
      mode: 'transactions',
      businessDate: run.businessDate,
      seed: pipeline.model.seed,
      ...rows,
      snapshots: snapshotsFor(pipeline, run.businessDate).filter((s) => s.role !== 'score'),
      ...(set?.customerValue ? { customerValue: set.customerValue } : {}),
    }),
    kFold: {
      allowed: false,
      reason: 'transactions pipelines validate on a later time window, shuffled folds would leak the future',
    },
    exploratorySample: sampleCustomerFeatures,
  };
}
