import type { LabeledPipeline } from '../config/pipeline.ts';
import { cleanLabeledRows } from '../pipeline/cleaning/clean-labeled-rows.ts';
import { buildFeatureRows } from '../pipeline/features/build-feature-rows.ts';
import { featureRowBoundaries, readFeatureChunks } from '../pipeline/features/feature-chunks.ts';
import { readFeatureMatrix } from '../pipeline/features/feature-matrix.ts';
import { sampleFeatureRows } from '../pipeline/features/sample-feature-rows.ts';
import { labeledRows } from '../pipeline/sources/contracts/labeled-rows.ts';
import { publishRawRows, rawRowsStaging, rawRowsTarget } from '../pipeline/sources/raw-rows.ts';
import type { PipelineMode } from './mode.ts';

/**
 * Labeled mode: one table of examples with a label column. Each run loads its inputs whole into
 * raw_rows (no ledger, no lock: nothing is shared between runs), cleans them into typed rows,
 * encodes them into vectors split at random (seeded, stratified) into train and validation, and
 * scores every row.
 */
export function labeledMode(pipeline: LabeledPipeline): PipelineMode {
  return {
    load: {
      stagingColumns: rawRowsStaging,
      rows: labeledRows(pipeline),
      lock: async () => {},
      loadedVersion: async () => undefined,
      target: rawRowsTarget,
      supersede: async () => {},
      publish: publishRawRows,
    },
    clean: (ctx) => cleanLabeledRows(ctx, pipeline),
    features: (ctx) => buildFeatureRows(ctx, pipeline),
    readFeatures: readFeatureMatrix,
    readFeaturePages: readFeatureChunks,
    featureKeyBoundaries: featureRowBoundaries,
    trainingWindow: (run, rows) => ({
      mode: 'labeled',
      businessDate: run.businessDate,
      seed: pipeline.model.seed,
      ...rows,
      validationShare: pipeline.model.validationShare,
    }),
    // Rows are exchangeable examples: shuffled folds estimate what the held-out rows do.
    kFold: { allowed: true },
    exploratorySample: sampleFeatureRows,
  };
}
