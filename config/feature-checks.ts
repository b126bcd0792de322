import { z } from 'zod';

/**
 * The pipeline file's sections about data trust: cleaning caps, the scoring population, data
 * quality checks (each warn or block), drift bands and the leak guard. Kept apart from
 * pipeline.ts so the sources/schedule schema and these evolve without stepping on each other.
 */

const severity = z.enum(['warn', 'block']).default('warn');

export const qualityCheckSchema = z.discriminatedUnion('check', [
  /** Tonight's row count against the average of the last 7 runs: |n / avg − 1| ≤ maxDeviation. */
  z.strictObject({
    check: z.literal('row-count'),
    severity,
    maxDeviation: z.number().positive().default(0.5),
    minHistory: z.number().int().min(1).max(7).default(3),
  }),
  /** Share of rows where `column` is empty (transactions: a raw_transactions field; labeled: a source column). */
  z.strictObject({
    check: z.literal('null-rate'),
    severity,
    column: z.string().min(1),
    max: z.number().min(0).max(1),
  }),
  /** Share of exact duplicate rows. */
  z.strictObject({
    check: z.literal('duplicate-rate'),
    severity,
    max: z.number().min(0).max(1).default(0.05),
  }),
  /** Days between the latest transaction before the cutoff and the cutoff (transactions mode). */
  z.strictObject({ check: z.literal('freshness'), severity, maxDays: z.number().positive().default(3) }),
  /** Share of positive labels in the training rows. */
  z.strictObject({
    check: z.literal('base-rate'),
    severity,
    min: z.number().min(0).max(1).default(0.005),
    max: z.number().min(0).max(1).default(0.995),
  }),
]);
export type QualityCheck = z.infer<typeof qualityCheckSchema>;

export const defaultQualityChecks: QualityCheck[] = [
  { check: 'row-count', severity: 'warn', maxDeviation: 0.5, minHistory: 3 },
  { check: 'duplicate-rate', severity: 'warn', max: 0.05 },
  { check: 'freshness', severity: 'warn', maxDays: 3 },
  { check: 'base-rate', severity: 'block', min: 0.005, max: 0.995 },
];

export const driftSchema = z.strictObject({
  /** Rows sampled per side (deterministically, by customer id) for PSI: 100 k estimate it to ±0.005. */
  sampleRows: z.number().int().min(1_000).default(100_000),
  /** What a feature with PSI ≥ 0.25 does to the run: noted in the report, or stops the run before training. */
  onSignificant: z.enum(['warn', 'block']).default('warn'),
});

export const leakGuardSchema = z.strictObject({
  /** A feature whose values alone rank the label with ROC-AUC above this is named in the run's warnings. */
  maxAuc: z.number().gt(0.5).max(1).default(0.95),
  /** Train step: blanking one of the 3 most important features and refitting loses more validation ROC-AUC than this: named. */
  maxDropLoss: z.number().min(0).max(1).default(0.05),
  /** Train step: a feature holding more than this share of the model's importance is named. */
  maxImportanceShare: z.number().gt(0).max(1).default(0.6),
  /**
   * Features step: a subgroup a feature defines (a range of its values, a category, its missing
   * rows) whose rows are at least this share one outcome names the feature, when it also holds
   * `subgroupShare` of that outcome's rows and the other outcome is at least 10 × (1 − this) of all rows.
   */
  subgroupPurity: z.number().gt(0.5).max(1).default(0.98),
  /** Share of all buyers (or non-buyers) such a subgroup must hold to be named. */
  subgroupShare: z.number().gt(0).max(1).default(0.1),
  /** Subgroups with fewer training rows are never named. */
  subgroupMinRows: z.number().int().min(1).default(30),
});

/** Transactions mode cleaning rules that need a number. */
export const cleanRulesSchema = z.strictObject({
  /** Lines with |quantity| above this are dropped as data-entry errors (Online Retail's 80,995 and 74,215). */
  maxQuantity: z.number().positive().default(10_000),
});

/** Transactions mode: who is a customer at a cutoff. */
export const populationSchema = z.strictObject({
  /** Active = bought within this many days before the cutoff; null = bought at any time before it. */
  activeDays: z.number().int().positive().nullable().default(null),
});
