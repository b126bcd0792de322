import type { Brief, BriefCustomer, RunReportData, RunStatus, TopCustomer } from './report-data.ts';

export interface FixtureOptions {
  /** Customers scored tonight (all go in the CSV). Default 4,000. */
  customers?: number;
  /** Runs in the trend, tonight included. Default 30. */
  trendRuns?: number;
  status?: RunStatus;
  seed?: number;
  businessDate?: string;
}

const FEATURES = [
  'PageValues',
  'ExitRates',
  'ProductRelated_Duration',
  'BounceRates',
  'ProductRelated',
  'Administrative_Duration',
  'Month',
  'Administrative',
  'TrafficType',
  'Informational_Duration',
  'Region',
  'Browser',
  'VisitorType',
  'OperatingSystems',
  'SpecialDay',
  'Informational',
  'Weekend',
];
const SEGMENTS = ['Returning_Visitor', 'New_Visitor', 'Other'];

/** Deterministic PRNG (mulberry32) so fixtures, snapshots and timings are repeatable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function histogram(scores: number[], bins = 20) {
  const counts = new Array<number>(bins).fill(0);
  for (const s of scores) counts[Math.min(bins - 1, Math.floor(s * bins))]! += 1;
  return counts.map((count, i) => ({ start: i / bins, end: (i + 1) / bins, count }));
}

/**
 * A complete, internally consistent RunReportData for an online-shoppers night: metrics are
 * computed from simulated (score, label) pairs, so curves, confusion matrix and lift agree.
 * `status: 'degraded'` is a night whose challenger failed the model gate; `'failed'` one that
 * died in training (no model sections at all).
 */
export function runReportFixture(options: FixtureOptions = {}): RunReportData {
  const rand = random(options.seed ?? 42);
  const n = options.customers ?? 4000;
  const businessDate = options.businessDate ?? '2026-11-24';
  const status = options.status ?? 'succeeded';
  const pipeline = 'online-shoppers';
  const runKey = `${pipeline}:${businessDate}`;

  // Buyers score high, others low, with overlap: gives a ROC-AUC around 0.9 like the real model.
  const draw = (label: number) =>
    Math.min(0.999, Math.max(0.001, label ? 0.15 + 0.83 * rand() ** 0.5 : 0.9 * rand() ** 3));
  const evaluation = Array.from({ length: 2000 }, () => {
    const label = rand() < 0.155 ? 1 : 0;
    return { label, score: draw(label) };
  }).sort((a, b) => b.score - a.score);
  const positives = evaluation.filter((e) => e.label === 1).length;
  const negatives = evaluation.length - positives;
  const baseRate = positives / evaluation.length;
  const threshold = 0.42;

  const roc: { fpr: number; tpr: number }[] = [{ fpr: 0, tpr: 0 }];
  const pr: { recall: number; precision: number }[] = [];
  let tp = 0;
  let fp = 0;
  let rocAuc = 0;
  evaluation.forEach((e, i) => {
    if (e.label) tp += 1;
    else {
      fp += 1;
      rocAuc += tp / positives / negatives;
    }
    if (i % 20 === 19 || i === evaluation.length - 1) {
      roc.push({ fpr: fp / negatives, tpr: tp / positives });
      pr.push({ recall: tp / positives, precision: tp / (i + 1) });
    }
  });
  const prAuc = pr.reduce((sum, p, i) => sum + (p.recall - (pr[i - 1]?.recall ?? 0)) * p.precision, 0);
  const flagged = evaluation.filter((e) => e.score >= threshold);
  const ctp = flagged.filter((e) => e.label).length;
  const confusion = {
    tp: ctp,
    fp: flagged.length - ctp,
    fn: positives - ctp,
    tn: negatives - (flagged.length - ctp),
  };
  const decileSize = evaluation.length / 10;
  let cumulative = 0;
  const lift = Array.from({ length: 10 }, (_, d) => {
    const rows = evaluation.slice(d * decileSize, (d + 1) * decileSize);
    const pos = rows.filter((r) => r.label).length;
    cumulative += pos;
    return {
      decile: d + 1,
      rows: rows.length,
      positives: pos,
      rate: pos / rows.length,
      lift: pos / rows.length / baseRate,
      cumulativeGain: cumulative / positives,
    };
  });
  const calibration = Array.from({ length: 10 }, (_, b) => {
    const rows = evaluation.filter((e) => Math.min(9, Math.floor(e.score * 10)) === b);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
    return {
      bin: `${(b / 10).toFixed(1)}-${((b + 1) / 10).toFixed(1)}`,
      rows: rows.length,
      meanPredicted: mean(rows.map((r) => r.score)),
      observedRate: mean(rows.map((r) => r.label)),
    };
  }).filter((r) => r.rows > 0);
  const eps = 1e-6;
  const logLoss =
    -evaluation.reduce((s, e) => s + (e.label ? Math.log(e.score + eps) : Math.log(1 - e.score + eps)), 0) /
    evaluation.length;
  const brier = evaluation.reduce((s, e) => s + (e.score - e.label) ** 2, 0) / evaluation.length;
  const precision = ctp / Math.max(1, flagged.length);
  const recall = ctp / positives;

  const scored = Array.from({ length: n }, (_, i) => ({
    // 7919 and 1,000,003 are coprime: ids look random but never repeat.
    customerId: `C${String((i * 7919) % 1_000_003).padStart(7, '0')}`,
    score: draw(rand() < baseRate ? 1 : 0),
    segment: SEGMENTS[rand() < 0.85 ? 0 : rand() < 0.9 ? 1 : 2] ?? 'Other',
  })).sort((a, b) => b.score - a.score);
  const scoredCustomers = scored.map((c, i) => ({ ...c, decile: Math.floor((i * 10) / n) + 1 }));
  const topCustomers: TopCustomer[] = scoredCustomers.slice(0, 20).map((c) => ({
    ...c,
    reasons: FEATURES.slice(0, 5).map((feature, k) => ({
      feature,
      contribution: (k === 1 || k === 3 ? -1 : 1) * (0.25 / (k + 1)) * (0.6 + 0.8 * rand()),
    })),
  }));
  const topMovers = scoredCustomers.slice(0, 10).map((c, i) => {
    const delta = (i % 3 === 2 ? -1 : 1) * (0.2 + 0.4 * rand());
    return {
      customerId: c.customerId,
      previous: Math.min(0.99, Math.max(0.01, c.score - delta)),
      current: c.score,
      delta,
    };
  });
  const featureImportance = FEATURES.map((feature, i) => ({
    feature,
    importance: (0.32 / (i + 1)) * (0.8 + 0.4 * rand()),
  }));

  const trendRuns = options.trendRuns ?? 30;
  const trend = Array.from({ length: trendRuns }, (_, i) => {
    const date = addDays(businessDate, i - trendRuns + 1);
    const last = i === trendRuns - 1;
    // One failed night a fortnight back: the trend must show a gap, not a zero.
    if (i === trendRuns - 14) return { businessDate: date };
    return {
      businessDate: date,
      ...(last && status === 'failed'
        ? {}
        : { rocAuc: last ? rocAuc : 0.9 + 0.015 * Math.sin(i / 3) + 0.006 * rand() }),
      baseRate: last ? baseRate : 0.15 + 0.01 * Math.cos(i / 4) + 0.004 * rand(),
      customersScored: last && status === 'failed' ? undefined : Math.round(n * (0.93 + 0.1 * rand())),
    };
  });

  const full: RunReportData = {
    pipeline,
    businessDate,
    runKey,
    status,
    startedAt: `${businessDate}T02:00:00.000Z`,
    finishedAt: `${businessDate}T02:07:41.512Z`,
    headline: {
      customersScored: n,
      scoresPublished: status === 'succeeded',
      publishedReason:
        status === 'succeeded'
          ? 'All quality gates passed.'
          : "The challenger failed the model gate; yesterday's scores stay published.",
      modelVersion: 'rf-2026-11-17-a3f9',
      servingModel: 'champion',
    },
    metrics: {
      accuracy: (confusion.tp + confusion.tn) / evaluation.length,
      precision,
      recall,
      f1: (2 * precision * recall) / (precision + recall),
      threshold,
      rocAuc,
      prAuc,
      logLoss,
      brier,
      evaluatedRows: evaluation.length,
      confusion,
      roc,
      pr,
      lift,
      topDecileCapture: lift[0]?.cumulativeGain ?? 0,
      calibration,
      featureImportance,
    },
    baseRate,
    scoreHistogram: {
      tonight: histogram(scored.map((c) => c.score)),
      previous: histogram(
        Array.from({ length: n }, () => Math.min(0.999, draw(rand() < 0.15 ? 1 : 0) * 0.97)),
      ),
    },
    trend,
    dataHealth: {
      sources: [
        { source: 'sessions.csv', rows: 12330, avg7: 12102.4, rejected: 41 },
        { source: 'customers (MySQL)', rows: n, avg7: n * 0.98, rejected: 0 },
        { source: 'orders (MySQL)', rows: 1906, avg7: 2480.3, rejected: 3 },
      ],
      rejectsByReason: [
        { reason: 'missing customer_id', count: 22 },
        { reason: 'negative duration', count: 14 },
        { reason: 'unknown Month value', count: 8 },
      ],
      qualityChecks: [
        {
          check: 'row count within 30% of 7-day average',
          severity: 'error',
          status: 'pass',
          detail: '12,330 vs 12,102',
        },
        { check: 'no duplicate session ids', severity: 'error', status: 'pass', detail: '0 duplicates' },
        {
          check: 'orders volume',
          severity: 'warning',
          status: 'warn',
          detail: 'orders 23% below 7-day average',
        },
        { check: 'PageValues null share < 1%', severity: 'warning', status: 'pass', detail: '0.2% null' },
      ],
      drift: [
        { feature: 'PageValues', psi: 0.04, band: 'stable' },
        { feature: 'ExitRates', psi: 0.13, band: 'moderate' },
        { feature: 'Month', psi: 0.31, band: 'major' },
        { feature: 'BounceRates', psi: 0.02, band: 'stable' },
      ],
      warnings: [
        'orders (MySQL) delivered 23% fewer rows than its 7-day average.',
        'Month drifted strongly (PSI 0.31): November traffic differs from the training window.',
      ],
    },
    modelDecision:
      status === 'succeeded'
        ? {
            champion: 'rf-2026-11-17-a3f9',
            challenger: 'rf-2026-11-24-b71c',
            promoted: false,
            reason: 'Challenger ROC-AUC 0.004 above the champion; promotion needs +0.010.',
            championRocAuc: rocAuc,
            challengerRocAuc: rocAuc + 0.004,
          }
        : {
            champion: 'rf-2026-11-17-a3f9',
            challenger: 'rf-2026-11-24-b71c',
            promoted: false,
            reason: 'Challenger PR-AUC fell below the 0.50 floor.',
            championRocAuc: rocAuc,
            challengerRocAuc: rocAuc - 0.08,
          },
    topCustomers,
    scoredCustomers,
    topMovers,
    exploratory: {
      segments: [
        {
          name: 'VisitorType',
          rows: [
            { value: 'Returning_Visitor', n: 10551, rate: 0.139 },
            { value: 'New_Visitor', n: 1694, rate: 0.249 },
            { value: 'Other', n: 85, rate: 0.188 },
          ],
        },
        {
          name: 'Month',
          rows: ['Feb', 'Mar', 'May', 'June', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((value, i) => ({
            value,
            n: [184, 1907, 3364, 288, 432, 433, 448, 549, 2998, 1727][i] ?? 100,
            rate: [0.016, 0.101, 0.109, 0.101, 0.153, 0.176, 0.192, 0.209, 0.254, 0.125][i] ?? 0.1,
          })),
        },
        {
          name: 'Weekend',
          rows: [
            { value: 'false', n: 9462, rate: 0.149 },
            { value: 'true', n: 2868, rate: 0.174 },
          ],
        },
      ],
      featureDistributions: [
        {
          feature: 'PageValues',
          bins: Array.from({ length: 15 }, (_, i) => ({
            start: i * 10,
            end: i * 10 + 10,
            label0: Math.round(9000 * Math.exp(-i * 1.2)),
            label1: Math.round(400 * Math.exp(-Math.abs(i - 3) / 2.5)),
          })),
        },
        {
          feature: 'ExitRates',
          bins: Array.from({ length: 20 }, (_, i) => ({
            start: i / 100,
            end: (i + 1) / 100,
            label0: Math.round(800 * Math.exp(-Math.abs(i - 6) / 5)),
            label1: Math.round(200 * Math.exp(-Math.abs(i - 2) / 3)),
          })),
        },
      ],
    },
    published: {
      table: 'cpd_scores',
      sqlExample: `SELECT customer_id, score, decile\nFROM cpd_scores\nWHERE pipeline = '${pipeline}' AND business_date = '${businessDate}'\nORDER BY score DESC\nLIMIT 100;`,
    },
    stepDurations: [
      { step: 'collect', ms: 8_412 },
      { step: 'load', ms: 21_304 },
      { step: 'clean', ms: 3_911 },
      { step: 'features', ms: 12_207 },
      { step: 'train', ms: 311_560 },
      { step: 'evaluate', ms: 9_870, ...(status === 'degraded' ? { status: 'failed' as const } : {}) },
      { step: 'score', ms: 41_002 },
      { step: 'report', ms: 2_100 },
    ],
  };
  if (status === 'succeeded') full.brief = briefOf(scoredCustomers, rand);
  if (status === 'degraded') {
    full.stillPublished = '2026-11-23';
    full.failure = {
      step: 'evaluate',
      cause: 'model gate',
      message: 'Challenger PR-AUC 0.41 is below the 0.50 floor.',
      whatWasKept:
        "Yesterday's scores (2026-11-23) stay published in cpd_scores; the champion keeps serving.",
      resumeCommand: `npx cpd resume ${pipeline} ${businessDate}`,
    };
  }
  if (status === 'failed') return failedNight(full);
  return full;
}

/** A night that died in training: no model, no scores, only what was known before the crash. */
function failedNight(full: RunReportData): RunReportData {
  const { pipeline, businessDate, runKey, startedAt, dataHealth, trend, published } = full;
  return {
    pipeline,
    businessDate,
    runKey,
    status: 'failed',
    ...(startedAt === undefined ? {} : { startedAt }),
    finishedAt: `${businessDate}T02:06:12.004Z`,
    ...(dataHealth === undefined ? {} : { dataHealth }),
    ...(trend === undefined ? {} : { trend }),
    ...(published === undefined ? {} : { published }),
    stepDurations: [
      { step: 'collect', ms: 8_412 },
      { step: 'load', ms: 21_304 },
      { step: 'clean', ms: 3_911 },
      { step: 'features', ms: 12_207 },
      { step: 'train', ms: 300_020, status: 'failed' },
    ],
    failure: {
      step: 'train',
      cause: 'infrastructure',
      message: 'Lost the Redis connection while renewing the job lock (ECONNRESET) after 3 attempts.',
      whatWasKept:
        "Yesterday's scores (2026-11-23) stay published in cpd_scores; loaded and cleaned data for tonight is kept for the resume.",
      resumeCommand: `npx cpd resume ${pipeline} ${businessDate} --from train`,
    },
  };
}

/** The brief of a night: segments by rank (10 % / 20 % / rest), the target list with reasons in words. */
function briefOf(scored: { customerId: string; score: number }[], rand: () => number): Brief {
  const n = scored.length;
  const cut = [Math.round(n * 0.1), Math.round(n * 0.3)];
  const code = (i: number): 'high' | 'medium' | 'low' =>
    i < cut[0]! ? 'high' : i < cut[1]! ? 'medium' : 'low';
  const customer = (c: { customerId: string; score: number }, i: number): BriefCustomer => ({
    customerId: c.customerId,
    score: c.score,
    segment: code(i),
    reasons: [
      `${1 + Math.floor(rand() * 40)} product pages viewed (top ${1 + Math.floor(rand() * 20)} %)`,
      `Visited in ${['May', 'Nov', 'Dec'][i % 3]}`,
    ],
  });
  const all = scored.map(customer);
  const segments = (['high', 'medium', 'low'] as const).map((k) => {
    const rows = all.filter((c) => c.segment === k);
    return {
      code: k,
      name: k === 'high' ? 'Top 10 %' : k === 'medium' ? 'Next 20 %' : 'Rest',
      customers: rows.length,
      expectedBuyers: rows.reduce((sum, c) => sum + c.score, 0),
      minScore: rows.at(-1)?.score ?? 0,
    };
  });
  const list = all.filter((c) => c.segment !== 'low');
  return {
    population: n,
    expectedBuyers: segments.reduce((sum, x) => sum + x.expectedBuyers, 0),
    segments,
    lastNight: {
      businessDate: '2026-11-23',
      expectedBuyers: 0.97 * n * 0.2,
      topSegment: cut[0]! - 3,
      rocAuc: 0.9,
    },
    weekAgo: { businessDate: '2026-11-17', expectedBuyers: 0.9 * n * 0.2, topSegment: cut[0]! - 9 },
    actions: list.slice(0, 20),
    newInTop: { count: 7, examples: list.slice(3, 6) },
    moversUp: list.slice(0, 3).map((c) => ({
      customerId: c.customerId,
      previous: c.score / 2,
      current: c.score,
      why: c.reasons[0]!,
    })),
    moversDown: list.slice(10, 12).map((c) => ({
      customerId: c.customerId,
      previous: Math.min(0.999, c.score + 0.05),
      current: c.score,
    })),
    attachedRows: list.length,
    listRows: list.length,
    list,
    table: 'customer_scores',
    sql: "SELECT * FROM customer_scores WHERE pipeline = 'online-shoppers' AND segment IN ('high', 'medium') ORDER BY score DESC;",
  };
}
