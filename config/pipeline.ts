import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { didYouMeanHint } from './did-you-mean.ts';
import {
  cleanRulesSchema,
  defaultQualityChecks,
  driftSchema,
  leakGuardSchema,
  populationSchema,
  qualityCheckSchema,
} from './feature-checks.ts';
import { parseJson } from './json-file.ts';
import { knownKeys } from './schema-keys.ts';
import { stepNames } from './steps.ts';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,47}$/, 'lower-case letters, digits and -, starting with a letter, at most 48');

/** How a delimited text source is read. */
export const parseOptionsSchema = z
  .strictObject({
    /**
     * A literal separator of 1-4 characters (`,` `;` `\t` `||`), or `whitespace`: runs of spaces and
     * tabs separate fields and blanks at the start and end of a line are ignored (no quoting).
     */
    delimiter: z.union([z.literal('whitespace'), z.string().min(1).max(4)]).default(','),
    quote: z.string().max(1).default('"'),
    /** true: the first line names the columns; false: `columns` names them. */
    header: z.boolean().default(true),
    columns: z.array(z.string().min(1)).optional(),
    /** `utf16`: UTF-16 with a byte-order mark (LE or BE, as Excel's "Unicode text" writes). */
    encoding: z.enum(['utf8', 'latin1', 'utf16']).default('utf8'),
    /** Blanks (spaces, tabs) around every cell are removed before it is checked. */
    trim: z.boolean().default(false),
    /**
     * Fixed-width columns: the width in characters of each column, left to right (cells are
     * trimmed; `delimiter` and `quote` are ignored). A line with text past the last column is rejected.
     */
    fixedWidths: z.array(z.number().int().min(1).max(10_000)).min(1).optional(),
    /** Cell values read as SQL NULL (compared after trimming). */
    nullTokens: z.array(z.string()).default(['', 'NA', 'NULL', 'null']),
    /** Date format per column (e.g. `{ "Date": "DD/MM/YYYY" }`); tokens YYYY MM M DD D HH H mm ss. */
    dateFormats: z.record(z.string(), z.string()).default({}),
  })
  .refine((p) => p.header || p.columns !== undefined, {
    message: 'header is false: name the columns in parse.columns',
    path: ['columns'],
  })
  .refine(
    (p) =>
      p.fixedWidths === undefined || p.columns === undefined || p.columns.length === p.fixedWidths.length,
    {
      message: 'parse.columns and parse.fixedWidths must have the same length',
      path: ['fixedWidths'],
    },
  );

/** One column's contract; checked on every row before it reaches MySQL. */
export const columnRuleSchema = z.strictObject({
  type: z.enum(['string', 'integer', 'number', 'date', 'boolean']).default('string'),
  /** The column must be in the header (else the load blocks) and never null (else the row is rejected). */
  required: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  /** A regular expression the whole value must match. */
  pattern: z.string().optional(),
  maxLength: z.number().int().positive().optional(),
  /** Allowed values (exact). */
  values: z.array(z.string()).optional(),
  /** Date format for `type: date` (default: parse.dateFormats, else `YYYY-MM-DD`). */
  format: z.string().optional(),
  /** reject: the row goes to rejected_rows; warn: it is loaded and counted for the report. */
  severity: z.enum(['reject', 'warn']).default('reject'),
});

/** A source's data contract: expected columns and what blocks the load outright. */
export const contractSchema = z.strictObject({
  columns: z.record(z.string(), columnRuleSchema).default({}),
  /** Block when more than this share of a file's rows is rejected (default: the pipeline's maxRejectShare). */
  maxRejectShare: z.number().min(0).max(1).optional(),
  /** Block a file with fewer data rows (an empty export is an incident, not a quiet night). */
  minRows: z.number().int().min(0).default(1),
  /** Block a file last modified more than this many days before the business date. */
  maxAgeDays: z.number().int().min(0).optional(),
});

/** A sensor for a late input: look every pokeSeconds, fail "still missing" after timeoutMinutes. */
const sourceWaitSchema = z.strictObject({
  pokeSeconds: z.number().int().min(1).max(3_600).default(60),
  timeoutMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60),
});

const fileSourceSchema = z.strictObject({
  kind: z.literal('file'),
  name: identifier.optional(),
  /** A path or glob, relative to the pipeline file's folder unless absolute. */
  path: z.string().min(1),
  parse: parseOptionsSchema.default(parseOptionsSchema.parse({})),
  contract: contractSchema.default(contractSchema.parse({})),
  wait: sourceWaitSchema.optional(),
});

const httpSourceSchema = z.strictObject({
  kind: z.literal('http'),
  name: identifier.optional(),
  url: z.string().url(),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Environment variable holding an `Authorization` header value; the secret stays out of the file. */
  authEnv: z
    .string()
    .regex(/^CPD_SOURCE_[A-Z0-9_]+$/, 'must name a CPD_SOURCE_* variable')
    .optional(),
  parse: parseOptionsSchema.default(parseOptionsSchema.parse({})),
  contract: contractSchema.default(contractSchema.parse({})),
  wait: sourceWaitSchema.optional(),
});

const sqlSourceSchema = z.strictObject({
  kind: z.literal('sql'),
  name: identifier.optional(),
  /** Environment variable holding the source database URL (secrets stay out of pipeline files). */
  urlEnv: z.string().regex(/^CPD_SOURCE_[A-Z0-9_]+$/, 'must name a CPD_SOURCE_* variable'),
  query: z.string().min(1),
  contract: contractSchema.default(contractSchema.parse({})),
});

export const sourceSchema = z.discriminatedUnion('kind', [
  fileSourceSchema,
  httpSourceSchema,
  sqlSourceSchema,
]);

const labeledColumnsSchema = z.strictObject({
  /** Column that identifies the customer/row; absent: a stable row id from source and line. */
  id: z.string().optional(),
  label: z.strictObject({
    column: z.string().min(1),
    /** Values (compared case-insensitively) that mean "bought". */
    positive: z.array(z.string()).min(1).default(['TRUE', '1', 'yes']),
  }),
  categorical: z.array(z.string()).default([]),
  boolean: z.array(z.string()).default([]),
  exclude: z.array(z.string()).default([]),
});

const thresholdRuleSchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('max-f1') }),
  z.strictObject({ rule: z.literal('fixed'), value: z.number().min(0).max(1) }),
  z.strictObject({ rule: z.literal('top-k'), percent: z.number().gt(0).max(100) }),
]);

/** Settings of engine gbdt, named as scikit-learn's HistGradientBoostingClassifier's; defaults live in ml. */
const boostSchema = z.strictObject({
  /** Shrinkage per tree (default 0.1). */
  learningRate: z.number().gt(0).max(1).optional(),
  /** Boosting rounds at most (default 100). */
  maxIter: z.number().int().min(1).max(10_000).optional(),
  /** Leaves per tree at most, grown best-first (default 31). */
  maxLeafNodes: z.number().int().min(2).max(4096).optional(),
  /** Depth cap on top of maxLeafNodes, 0 = none (default 0). */
  maxDepth: z.number().int().min(0).max(64).optional(),
  /** Rows per leaf at least (default 20). */
  minSamplesLeaf: z.number().int().min(1).optional(),
  /** L2 penalty on leaf values (default 0). */
  l2: z.number().min(0).optional(),
  /** auto = on above 10 000 training rows (default auto). */
  earlyStopping: z.union([z.literal('auto'), z.boolean()]).optional(),
  /** Share of the training rows held out to decide when to stop (default 0.1). */
  validationFraction: z.number().gt(0).lt(1).optional(),
  /** Rounds without improvement before stopping (default 10). */
  nIterNoChange: z.number().int().min(1).optional(),
});

export const modelSchema = z.strictObject({
  /**
   * auto: fits every candidate (logistic regression, histogram forest, gradient boosting) and keeps
   * the best on the validation rows by the promotion metric; or one engine. mljs: a slow cross-check only.
   */
  engine: z.enum(['auto', 'logistic', 'hist', 'gbdt', 'mljs']).default('auto'),
  /** gbdt: histogram gradient boosting; an unset key takes ml's defaultBoostParams (scikit-learn's). */
  boost: boostSchema.default({}),
  /** logistic: inverse L2 strength (scikit-learn's C). */
  C: z.number().positive().default(1),
  nTrees: z.number().int().min(1).max(2000).default(100),
  maxDepth: z.number().int().min(1).max(64).default(16),
  minSamplesLeaf: z.number().int().min(1).default(2),
  maxFeatures: z.union([z.literal('sqrt'), z.number().positive()]).default('sqrt'),
  classWeight: z.enum(['balanced']).nullable().default(null),
  /** mljs only: rows per tree. Its split search is O(n²), so it must stay small. */
  maxSamples: z.number().int().positive().optional(),
  seed: z.number().int().default(42),
  /** Share of labeled rows held out (stratified) for validation. */
  validationShare: z.number().gt(0).lt(1).default(0.2),
  /**
   * Training rows fitted on at most (null: all): above it train fits every candidate, the blend,
   * the leak guard's refits and each cross-fitting fold on a seeded stratified sample of this many
   * (base rate kept), calibrating and measuring on every validation row. Fit time grows with rows;
   * validation ROC-AUC had stopped gaining well below this (README, model settings).
   */
  maxTrainRows: z.number().int().min(1000).nullable().default(100_000),
  /** Labeled tables: folds of the cross-fitting that scores rows of known outcome out-of-fold (k more fits). */
  crossFitFolds: z.number().int().min(2).max(10).default(5),
  threshold: thresholdRuleSchema.default({ rule: 'max-f1' }),
});

/**
 * Champion/challenger rule, MLflow MetricThreshold-like: tonight's model (the challenger) becomes
 * champion when its `metric` on the validation rows passes `floor` and is no worse than the
 * champion's on the SAME rows by more than `tolerance` (negative: a required improvement).
 */
export const promotionSchema = z.strictObject({
  metric: z.enum(['rocAuc', 'prAuc', 'f1', 'topDecileCapture', 'logLoss', 'brier']).default('rocAuc'),
  /** Absolute bar (a ceiling for logLoss/brier): below it no model is published. */
  floor: z.number().default(0.6),
  tolerance: z.number().min(-1).max(1).default(0.005),
});

/** Labeled tables only: k-fold stratified CV on the training rows (0 = off; k extra trainings). */
export const evaluationSchema = z.strictObject({
  cvFolds: z
    .number()
    .int()
    .min(0)
    .max(10)
    .refine((k) => k !== 1, 'cvFolds: 0 (off) or 2..10')
    .default(0),
});

export const scheduleSchema = z.strictObject({
  cron: z.string().min(1),
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone'),
});

/**
 * What the scheduler does on start (and on each tick) about fires it missed while down:
 * `skip` records them as skipped, `latest` runs only the most recent missed date, `backfill`
 * runs every missed date, oldest first, one at a time. Only the last `maxDays` days count.
 */
export const catchUpSchema = z.strictObject({
  policy: z.enum(['skip', 'latest', 'backfill']).default('latest'),
  maxDays: z.number().int().min(1).max(60).default(3),
});

/** "Scores published by 06:00 Europe/London": local time on the business date (+ afterDays). */
export const deadlineSchema = z.strictObject({
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h)'),
  /** Default: the schedule's time zone. */
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone').optional(),
  /** For a run that starts late in the evening and must finish the next morning. */
  afterDays: z.number().int().min(0).max(7).default(0),
});

/** Seconds a step may run before it is aborted and retried (a hung source or a runaway training). */
export const timeoutsSchema = z.partialRecord(z.enum(stepNames), z.number().int().positive().max(86_400));

/** Transactions mode: which source column holds each field of a purchase line. */
export const transactionColumnsSchema = z
  .strictObject({
    customerId: z.string().min(1),
    timestamp: z.string().min(1),
    /** The line's amount, given directly; else quantity × unitPrice. */
    amount: z.string().optional(),
    quantity: z.string().optional(),
    unitPrice: z.string().optional(),
    invoice: z.string().optional(),
    product: z.string().optional(),
    description: z.string().optional(),
    country: z.string().optional(),
    /** How the timestamp is written, e.g. `YYYY-MM-DD HH:mm:ss`, `DD/MM/YYYY HH:mm`. */
    timestampFormat: z.string().default('YYYY-MM-DD HH:mm:ss'),
  })
  .refine((c) => c.amount !== undefined || (c.quantity !== undefined && c.unitPrice !== undefined), {
    message: 'give either amount, or both quantity and unitPrice',
  });

/** Transactions mode: the prediction target "bought within horizonDays after the cutoff". */
export const labelWindowSchema = z.strictObject({
  horizonDays: z.number().int().min(1).max(730).default(90),
  /** Training snapshots at T−H, T−2H, ...; more snapshots, more training rows. */
  snapshots: z.number().int().min(1).max(12).default(1),
  /** The cutoff T; default: the run's business date. */
  cutoff: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

/**
 * Transactions mode: customer value (BG/NBD + Gamma-Gamma), fitted per snapshot on the history
 * before its cutoff; horizon = label.horizonDays. A refused fit warns and the run goes on without it.
 */
export const valueSchema = z.object({
  enabled: z.boolean().default(true),
  /** The time unit the models are fitted and stored in (α is per this unit). */
  unit: z.enum(['day', 'week']).default('week'),
  /** Monthly discount rate of the 12-month CLV. */
  monthlyDiscount: z.number().min(0).max(1).default(0.01),
  /** Fewer repeat buyers than this at a cutoff: no fit. */
  minRepeatBuyers: z.number().int().min(10).default(100),
  /** |corr(repeat frequency, mean repeat spend)| above this: no spend figures (Gamma-Gamma assumes independence). */
  maxSpendCorrelation: z.number().min(0).max(1).default(0.3),
});

/** How scores are computed: rows per chunk (memory stays flat), reasons stored per customer. */
export const scoringSchema = z.strictObject({
  chunkRows: z.number().int().min(1_000).max(500_000).default(50_000),
  reasons: z.number().int().min(0).max(10).default(3),
  /**
   * Rows per chunk when the score step fans out as child jobs that any worker takes; a night of
   * at most this many rows is scored in one piece, as by a single worker. Lower it when several
   * machines run workers (README, Sizing).
   */
  fanOutRows: z.number().int().min(1_000).default(1_000_000),
});

/**
 * Segments by rank: the top `top` share of tonight's customers is `high`, the `next` share
 * `medium`, the rest `low` (rank, not a fixed score, so the sizes mean the same every night).
 */
export const segmentsSchema = z
  .object({ top: z.number().gt(0).max(1).default(0.1), next: z.number().min(0).max(1).default(0.2) })
  .refine((s) => s.top + s.next <= 1, { message: 'top + next must not exceed 1' });

/** One feature as the brief words it: "3 orders in the last 90 days (top 10 %)". */
export const glossaryEntrySchema = z.strictObject({
  /** What the value counts, e.g. "orders in the last 90 days"; default: the feature name. */
  label: z.string().min(1).max(80),
  /** Printed after the value, e.g. "days", "£"; `£` and `$` go before it. */
  unit: z.string().max(12).optional(),
  /** A sentence with {value}, {unit}, {label}, {rank}, e.g. "last order {value} days ago"; default "{value} {unit} {label}". */
  phrase: z.string().max(120).optional(),
  /** Decimals shown (0 for days and counts); default up to 2. */
  decimals: z.number().int().min(0).max(4).optional(),
  /** Fewer is better (recency): "top 10 %" then means the lowest values. */
  lowerIsBetter: z.boolean().default(false),
  /** Drifts every night by design (e.g. tenure grows): drift is shown, never raised as a warning. */
  structural: z.boolean().default(false),
});

/** What the stakeholder brief shows: the action list's length and the glossary of reasons. */
export const briefSchema = z.strictObject({
  topN: z.number().int().min(1).max(200).default(20),
  movers: z.number().int().min(0).max(20).default(5),
  /**
   * Customers of the target list (top and next segments) attached to the mail as CSV, in rank order;
   * the rest stay in the scores table. 40,000 rows are ~5 MB (~7 MB encoded): many mail servers refuse
   * more than 10 MB, and at a million customers the whole list was a 58 MB mail. 0 = no attachment.
   */
  attachRows: z.number().int().min(0).max(200_000).default(40_000),
  glossary: z.record(z.string(), glossaryEntrySchema).default({}),
});

const gateAction = z.enum(['warn', 'block']);

/** Checks on the staging table before it replaces the published one; `block` keeps yesterday's table. */
export const gatesSchema = z.strictObject({
  /** Scored rows ≥ this share of the scoring population (and of the last published table). */
  rowCount: z
    .strictObject({
      minShare: z.number().min(0).max(1).default(0.99),
      minShareOfPrevious: z.number().min(0).max(1).default(0.5),
      action: gateAction.default('block'),
    })
    .default({ minShare: 0.99, minShareOfPrevious: 0.5, action: 'block' }),
  nullScores: z
    .strictObject({ maxShare: z.number().min(0).max(1).default(0), action: gateAction.default('block') })
    .default({ maxShare: 0, action: 'block' }),
  /**
   * Score-distribution PSI against the last published run. Warn by default: a newly promoted
   * model legitimately shifts the distribution, and blocking it would keep stale scores.
   */
  psi: z
    .strictObject({ max: z.number().positive().default(0.25), action: gateAction.default('warn') })
    .default({ max: 0.25, action: 'warn' }),
  /** Seconds the swap waits for analysts' queries holding the table (MySQL lock_wait_timeout); then the step retries. */
  lockWaitSeconds: z.number().int().min(1).max(600).default(10),
});

/** customer_score_history: published nights older than this many days are deleted. */
export const historySchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(3_660).default(400),
});

const pipelineBase = z.strictObject({
  name: identifier,
  description: z.string().default(''),
  sources: z.array(sourceSchema).min(1),
  /**
   * Folders file sources must resolve inside (symlinks followed), relative to the pipeline file;
   * DATA_DIR is always allowed. Default: the pipeline file's folder.
   */
  dataRoots: z.array(z.string().min(1)).optional(),
  schedule: scheduleSchema.default({ cron: '0 2 * * *', timezone: 'UTC' }),
  catchUp: catchUpSchema.default(catchUpSchema.parse({})),
  deadline: deadlineSchema.optional(),
  timeouts: timeoutsSchema.default({}),
  recipients: z.array(z.string().regex(/^[^@\s,]+@[^@\s,]+$/, 'not an email address')).default([]),
  model: modelSchema.default(modelSchema.parse({})),
  promotion: promotionSchema.default(promotionSchema.parse({})),
  evaluation: evaluationSchema.default(evaluationSchema.parse({})),
  /** Block the load when more than this share of rows is rejected. */
  maxRejectShare: z.number().min(0).max(1).default(0.05),
  /** How load writes: `auto` uses LOAD DATA LOCAL when the server allows it, else prepared inserts. */
  load: z
    .strictObject({
      method: z.enum(['auto', 'infile', 'insert']).default('auto'),
      /** A load that fails for too many rejects keeps its first N refused lines (line, column, reason) to look at. */
      keptRejects: z.number().int().min(0).max(100_000).default(1_000),
    })
    .default({ method: 'auto', keptRejects: 1_000 }),
  /** Data-quality checks, each warn or block (config/feature-checks.ts). */
  quality: z.array(qualityCheckSchema).default(defaultQualityChecks),
  drift: driftSchema.default(driftSchema.parse({})),
  leakGuard: leakGuardSchema.default(leakGuardSchema.parse({})),
  scoring: scoringSchema.default(scoringSchema.parse({})),
  segments: segmentsSchema.default(segmentsSchema.parse({})),
  brief: briefSchema.default(briefSchema.parse({})),
  gates: gatesSchema.default(gatesSchema.parse({})),
  history: historySchema.default(historySchema.parse({})),
});

export const labeledPipelineSchema = pipelineBase.extend({
  mode: z.literal('labeled'),
  columns: labeledColumnsSchema,
});

export const transactionsPipelineSchema = pipelineBase.extend({
  mode: z.literal('transactions'),
  columns: transactionColumnsSchema,
  label: labelWindowSchema.default(labelWindowSchema.parse({})),
  clean: cleanRulesSchema.default(cleanRulesSchema.parse({})),
  population: populationSchema.default(populationSchema.parse({})),
  value: valueSchema.default(valueSchema.parse({})),
});

export const pipelineSchema = z.discriminatedUnion('mode', [
  labeledPipelineSchema,
  transactionsPipelineSchema,
]);

export type LabeledPipeline = z.infer<typeof labeledPipelineSchema>;
export type TransactionsPipeline = z.infer<typeof transactionsPipelineSchema>;
export type Pipeline = z.infer<typeof pipelineSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type ParseOptions = z.infer<typeof parseOptionsSchema>;
export type Contract = z.infer<typeof contractSchema>;
export type ColumnRule = z.infer<typeof columnRuleSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type PromotionRule = z.infer<typeof promotionSchema>;
export type GatesConfig = z.infer<typeof gatesSchema>;
export type SegmentsConfig = z.infer<typeof segmentsSchema>;
export type BriefConfig = z.infer<typeof briefSchema>;
export type GlossaryEntry = z.infer<typeof glossaryEntrySchema>;
export type CatchUp = z.infer<typeof catchUpSchema>;
export type Deadline = z.infer<typeof deadlineSchema>;

export class PipelineFileError extends Error {
  override name = 'PipelineFileError';
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates a parsed pipeline object; errors name the field path, e.g. `sources[0].path`. Unknown
 * keys anywhere are refused (a typo such as `shedule` would otherwise silently keep a default) with
 * the closest known key.
 */
export function parsePipeline(raw: unknown, origin: string): Pipeline {
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map(
            (k) =>
              `  ${formatPath([...i.path, k])}: unknown key${didYouMeanHint(k, knownKeys(pipelineSchema, i.path))}`,
          )
        : [`  ${formatPath(i.path)}: ${i.message}`],
    );
    throw new PipelineFileError(`${origin}: invalid pipeline\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads a pipeline file and resolves its relative source paths against the file's folder. */
export function loadPipelineFile(file: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(`${file}: cannot read pipeline file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const pipeline = parsePipeline(parseJson(text, file), file);
  const dir = path.dirname(path.resolve(file));
  return {
    ...pipeline,
    dataRoots: (pipeline.dataRoots ?? ['.']).map((root) => path.resolve(dir, root)),
    sources: pipeline.sources.map((s) => (s.kind === 'file' ? { ...s, path: path.resolve(dir, s.path) } : s)),
  };
}

function formatPath(p: PropertyKey[]): string {
  return (
    p.reduce<string>(
      (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
      '',
    ) || '(root)'
  );
}
