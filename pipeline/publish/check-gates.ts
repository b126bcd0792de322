import type { GatesConfig } from '../../config/pipeline.ts';
import { psi } from '../../ml/drift.ts';

export interface GateInput {
  /** Rows in the staging table. */
  rows: number;
  /** Rows the features step produced for scoring: the population tonight's table must cover. */
  population: number;
  nullScores: number;
  scores: Float64Array;
  /** The last published run, if any: its row count and score quantiles. */
  reference: { runKey: string; rows: number; quantiles: number[] | null } | null;
}

export interface GateResult {
  gate: 'rowCount' | 'nullScores' | 'psi';
  value: number | null;
  limit: number;
  action: 'warn' | 'block';
  passed: boolean;
  message: string;
}

export interface GateVerdict {
  results: GateResult[];
  blocked: GateResult[];
  warnings: GateResult[];
}

/** 101 quantiles (0 %, 1 %, ... 100 %) of the finite scores: a compact reference for tomorrow's PSI. */
export function scoreQuantiles(scores: Float64Array): number[] {
  const finite = scores.filter((s) => Number.isFinite(s)).sort();
  if (finite.length === 0) return [];
  return Array.from(
    { length: 101 },
    (_, k) => finite[Math.min(finite.length - 1, Math.round((k / 100) * (finite.length - 1)))]!,
  );
}

/** Checks the staging table's figures against the pipeline's gates; pure, so every rule is unit-tested. */
export function checkGates(g: GatesConfig, x: GateInput): GateVerdict {
  const results: GateResult[] = [];
  const share = x.population > 0 ? x.rows / x.population : 1;
  results.push({
    gate: 'rowCount',
    value: share,
    limit: g.rowCount.minShare,
    action: g.rowCount.action,
    passed: share >= g.rowCount.minShare,
    message: `${x.rows} rows scored of a population of ${x.population} (${pct(share)}, minimum ${pct(g.rowCount.minShare)})`,
  });
  if (x.reference && x.reference.rows > 0) {
    const ofPrev = x.rows / x.reference.rows;
    results.push({
      gate: 'rowCount',
      value: ofPrev,
      limit: g.rowCount.minShareOfPrevious,
      action: g.rowCount.action,
      passed: ofPrev >= g.rowCount.minShareOfPrevious,
      message: `${x.rows} rows against ${x.reference.rows} in the published run ${x.reference.runKey} (${pct(ofPrev)}, minimum ${pct(g.rowCount.minShareOfPrevious)})`,
    });
  }
  const nullShare = x.rows > 0 ? x.nullScores / x.rows : 0;
  results.push({
    gate: 'nullScores',
    value: nullShare,
    limit: g.nullScores.maxShare,
    action: g.nullScores.action,
    passed: nullShare <= g.nullScores.maxShare,
    message: `${x.nullScores} rows without a score (${pct(nullShare)}, maximum ${pct(g.nullScores.maxShare)})`,
  });
  const ref = x.reference?.quantiles;
  if (ref && ref.length > 0) {
    const value = psi(ref, x.scores).psi;
    results.push({
      gate: 'psi',
      value,
      limit: g.psi.max,
      action: g.psi.action,
      passed: value < g.psi.max,
      message: `score PSI ${value.toFixed(3)} against the published run ${x.reference!.runKey} (limit ${g.psi.max})`,
    });
  }
  const failed = results.filter((r) => !r.passed);
  return {
    results,
    blocked: failed.filter((r) => r.action === 'block'),
    warnings: failed.filter((r) => r.action === 'warn'),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
