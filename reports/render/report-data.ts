import type { BgNbdRecord, GammaGammaRecord } from '../../ml/value/customer-value.ts';
import type { ValueEvaluation } from '../../ml/value/value-evaluation.ts';
import type { BriefCorrection } from './brief-correction.ts';

/**
 * Everything the nightly report can show. Only the identity of the run is required: every
 * section is optional so a failed or degraded night still renders, showing what exists.
 * Strings such as customer ids, segment values and feature names come from customer data and
 * are untrusted; the renderer escapes them.
 */
export type RunStatus = 'succeeded' | 'degraded' | 'failed';
export type FailureCause = 'data contract' | 'infrastructure' | 'model gate';

export interface RunReportData {
  pipeline: string;
  /** YYYY-MM-DD, the business day the run scores. */
  businessDate: string;
  runKey: string;
  status: RunStatus;
  /** ISO timestamps of the run, for the metadata section. */
  startedAt?: string;
  finishedAt?: string;
  headline?: ReportHeadline;
  metrics?: ModelMetrics;
  /** How the model was validated: split or window, rows, every candidate engine, calibration, CV. */
  validation?: ValidationFacts;
  /** Share of customers who purchased in the evaluation window, 0..1. */
  baseRate?: number;
  scoreHistogram?: { tonight: HistogramBin[]; previous?: HistogramBin[] };
  /** Up to the last 30 runs, any order; a failed night may lack metrics. */
  trend?: TrendPoint[];
  dataHealth?: DataHealth;
  modelDecision?: ModelDecision;
  /** The 20 highest scores with the features that pushed them up or down. */
  topCustomers?: TopCustomer[];
  /** Tonight's scored customers, highest first (the model card's tables; the attachment is brief.list). */
  scoredCustomers?: ScoredCustomer[];
  /** Published rows whose outcome is already known (scored out-of-fold): never in the lists above. */
  knownOutcomes?: { rows: number; unknownRows: number };
  topMovers?: ScoreMover[];
  exploratory?: Exploratory;
  published?: { table: string; sqlExample: string };
  stepDurations?: StepDuration[];
  failure?: FailureInfo;
  /** What the stakeholder brief shows; absent on a night with nothing to act on. */
  brief?: Brief;
  /** The business date of the scores still published when tonight's were not (a bad night). */
  stillPublished?: string;
  /** ISO instant of the pipeline's next scheduled run. */
  nextRun?: string;
  /** The pipeline's IANA time zone: every time people read is shown in it. */
  timeZone?: string;
  /** Transactions mode: the BG/NBD and Gamma-Gamma fits of each snapshot and their validation. */
  customerValue?: CustomerValueReport;
  /** A rerun changed the published scores after an earlier brief: this brief corrects it. */
  correction?: BriefCorrection;
}

export interface CustomerValueReport {
  unit: string;
  horizonDays: number;
  classifierFeatures: boolean;
  snapshots: {
    role: string;
    cutoff: string;
    customers: number;
    bgNbd: BgNbdRecord | null;
    gammaGamma: GammaGammaRecord | null;
    evaluation?: ValueEvaluation;
  }[];
}

export interface ReportHeadline {
  customersScored: number;
  scoresPublished: boolean;
  /** Why scores were (or were not) published, in a sentence. */
  publishedReason: string;
  modelVersion: string;
  /** Which model produced tonight's scores. */
  servingModel: 'champion' | 'challenger';
}

export interface ModelMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  /** Rows in the evaluation set. */
  evaluatedRows?: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  roc?: { fpr: number; tpr: number }[];
  pr?: { recall: number; precision: number }[];
  lift?: LiftRow[];
  /** Share of all buyers found in the top decile, 0..1. */
  topDecileCapture?: number;
  calibration?: CalibrationRow[];
  featureImportance?: { feature: string; importance: number }[];
}

export interface ValidationFacts {
  split:
    | { kind: 'stratified'; share: number | null; seed: number | null }
    | { kind: 'time'; trainCutoffs: string[]; validCutoff: string; validLabelEnd: string | null };
  /** Rows the model was fitted on. */
  trainRows: number;
  /** When model.maxTrainRows capped them: the training rows there were, the cap and the sample's seed. */
  trainSample?: { totalRows: number; maxTrainRows: number; seed: number | null };
  validRows: number | null;
  /** The promotion metric engine "auto" chose by (null: one engine, nothing chosen). */
  selectedBy: string | null;
  candidates: {
    engine: string;
    value: number | null;
    rocAuc: number | null;
    calibration: string | null;
    chosen: boolean;
  }[];
  calibration?: {
    method: string;
    eceBefore: number | null;
    eceAfter: number | null;
    brierBefore: number | null;
    brierAfter: number | null;
  };
  /** k-fold cross-validation ROC-AUC on the training rows, when the pipeline asks for it. */
  cv?: { folds: number; mean: number | null; sd: number | null };
}

export interface LiftRow {
  /** 1 = highest scores. */
  decile: number;
  rows: number;
  positives: number;
  rate: number;
  lift: number;
  /** Share of all buyers in deciles 1..decile, 0..1. */
  cumulativeGain: number;
}

export interface CalibrationRow {
  /** Label of the score bin, e.g. "0.2-0.3". */
  bin: string;
  rows: number;
  meanPredicted: number;
  observedRate: number;
}

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

export interface TrendPoint {
  businessDate: string;
  rocAuc?: number;
  baseRate?: number;
  customersScored?: number;
}

export interface DataHealth {
  /** `skipped`: every file of the source was unchanged and skipped tonight (rows 0 is not a drop). */
  sources?: { source: string; rows: number; avg7: number; rejected: number; skipped?: boolean }[];
  rejectsByReason?: { reason: string; count: number }[];
  qualityChecks?: {
    check: string;
    severity: 'error' | 'warning' | 'info';
    status: 'pass' | 'warn' | 'fail' | 'skipped';
    detail: string;
  }[];
  /** `structural`: drifts every night by design (tenure, days since...): shown, never raised. */
  drift?: { feature: string; psi: number; band: 'stable' | 'moderate' | 'major'; structural?: boolean }[];
  warnings?: string[];
}

export interface ModelDecision {
  champion: string;
  challenger?: string;
  promoted: boolean;
  reason: string;
  championRocAuc?: number;
  challengerRocAuc?: number;
}

export interface ScoredCustomer {
  customerId: string;
  score: number;
  decile: number;
  segment?: string;
  /** Transactions pipelines: the customer-value columns of the scores table (null: no fit tonight). */
  value?: CustomerValueCells;
}

/** Per customer, in the units of the scores table (horizon = the pipeline's label horizon). */
export interface CustomerValueCells {
  pAlive: number | null;
  expectedOrders: number | null;
  expectedSpend: number | null;
  expectedRevenue: number | null;
  clv12m: number | null;
  nextOrderDays: number | null;
}

export interface TopCustomer extends ScoredCustomer {
  /** Signed contributions to the score, largest first. */
  reasons: { feature: string; contribution: number; sentence?: string }[];
}

export interface ScoreMover {
  customerId: string;
  previous: number;
  current: number;
  delta: number;
}

export interface Exploratory {
  segments?: { name: string; rows: { value: string; n: number; rate: number }[] }[];
  featureDistributions?: {
    feature: string;
    bins: { start: number; end: number; label0: number; label1: number }[];
  }[];
}

export interface StepDuration {
  step: string;
  ms: number;
  status?: 'succeeded' | 'failed' | 'skipped';
}

export interface FailureInfo {
  step: string;
  cause: FailureCause;
  message: string;
  /** E.g. "Yesterday's scores (2026-11-23) stay published in cpd_scores." */
  whatWasKept: string;
  /** The one command that resumes the run, e.g. `npx cpd resume online-shoppers 2026-11-24`. */
  resumeCommand: string;
}

/** The stakeholder brief: what to do tonight, for people who are not analysts. */
export interface Brief {
  /** Customers scored and published tonight. */
  population: number;
  /** Sum of tonight's scores: how many buyers to expect. */
  expectedBuyers: number;
  /** Sum of expected revenue, when the scores table has customer value columns. */
  expectedRevenue?: number;
  /** Days the prediction looks ahead (transactions pipelines). */
  horizonDays?: number;
  segments: BriefSegment[];
  /** false: tonight's totals are not comparable with the history's (known outcomes left out): no tile deltas. */
  deltas?: boolean;
  /** Last night and 7 nights ago, for the tile deltas. */
  lastNight?: BriefNight;
  weekAgo?: BriefNight;
  actions: BriefCustomer[];
  /** Customers in the top segment tonight who were not last night. */
  newInTop?: { count: number; examples: BriefCustomer[] };
  moversUp: BriefMover[];
  moversDown: BriefMover[];
  /** Rows in the attached list: the target list's first brief.attachRows (top + next segments). */
  attachedRows: number;
  /** Customers in the whole target list (top + next segments). */
  listRows: number;
  /** The attached list itself, highest score first. */
  list: BriefCustomer[];
  /** A ready SQL line for the whole list. */
  sql: string;
  table: string;
}

export interface BriefSegment {
  code: 'high' | 'medium' | 'low';
  /** "Top 10 %", "Next 20 %", "Rest". */
  name: string;
  customers: number;
  expectedBuyers: number;
  expectedRevenue?: number;
  /** Lowest score in the segment. */
  minScore: number;
}

export interface BriefNight {
  businessDate: string;
  expectedBuyers: number;
  topSegment: number;
  rocAuc?: number;
}

export interface BriefCustomer {
  customerId: string;
  score: number;
  segment?: string;
  expectedValue?: number;
  /** Readable reasons, strongest first. */
  reasons: string[];
}

export interface BriefMover {
  customerId: string;
  previous: number;
  current: number;
  why?: string;
}
