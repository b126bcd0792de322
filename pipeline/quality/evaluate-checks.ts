import type { QualityCheck } from '../../config/feature-checks.ts';

/** What a step measured; a check whose figure is absent is not evaluated by that step. */
export interface QualityFacts {
  rows?: number;
  nullRates?: Record<string, number>;
  duplicateRate?: number;
  freshnessDays?: number | null;
  baseRate?: number;
}

export interface QualityResult {
  checkName: string;
  severity: 'warn' | 'block';
  outcome: 'pass' | 'warn' | 'block' | 'skipped';
  value: number | null;
  limit: string;
  message: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** Evaluates the declared checks against the facts; `rowHistory` holds the row counts of up to 7 previous runs. */
export function evaluateChecks(
  checks: QualityCheck[],
  facts: QualityFacts,
  rowHistory: number[],
): QualityResult[] {
  const out: QualityResult[] = [];
  const verdict = (
    c: QualityCheck,
    name: string,
    value: number | null,
    ok: boolean,
    limit: string,
    message: string,
  ) =>
    out.push({
      checkName: name,
      severity: c.severity,
      outcome: ok ? 'pass' : c.severity,
      value,
      limit,
      message,
    });
  for (const c of checks) {
    switch (c.check) {
      case 'row-count': {
        if (facts.rows === undefined) break;
        const history = rowHistory.slice(0, 7);
        if (history.length < c.minHistory) {
          out.push({
            checkName: c.check,
            severity: c.severity,
            outcome: 'skipped',
            value: facts.rows,
            limit: `±${pct(c.maxDeviation)}`,
            message: `${facts.rows} rows; ${history.length} earlier runs, ${c.minHistory} needed for a baseline`,
          });
          break;
        }
        const avg = history.reduce((a, b) => a + b, 0) / history.length;
        const dev = avg > 0 ? facts.rows / avg - 1 : facts.rows > 0 ? Infinity : 0;
        verdict(
          c,
          c.check,
          facts.rows,
          Math.abs(dev) <= c.maxDeviation,
          `±${pct(c.maxDeviation)} of ${avg.toFixed(0)}`,
          `${facts.rows} rows vs an average of ${avg.toFixed(0)} over the last ${history.length} runs (${dev >= 0 ? '+' : ''}${pct(dev)})`,
        );
        break;
      }
      case 'null-rate': {
        const rate = facts.nullRates?.[c.column];
        if (rate === undefined) break;
        verdict(
          c,
          `null-rate:${c.column}`,
          rate,
          rate <= c.max,
          `≤ ${pct(c.max)}`,
          `${pct(rate)} of rows have no ${c.column}`,
        );
        break;
      }
      case 'duplicate-rate':
        if (facts.duplicateRate === undefined) break;
        verdict(
          c,
          c.check,
          facts.duplicateRate,
          facts.duplicateRate <= c.max,
          `≤ ${pct(c.max)}`,
          `${pct(facts.duplicateRate)} of rows are exact duplicates`,
        );
        break;
      case 'freshness': {
        if (facts.freshnessDays === undefined) break;
        const d = facts.freshnessDays;
        verdict(
          c,
          c.check,
          d,
          d !== null && d <= c.maxDays,
          `≤ ${c.maxDays} days`,
          d === null
            ? 'no transaction before the cutoff'
            : `latest transaction ${d.toFixed(1)} days before the cutoff`,
        );
        break;
      }
      case 'base-rate':
        if (facts.baseRate === undefined) break;
        verdict(
          c,
          c.check,
          facts.baseRate,
          facts.baseRate >= c.min && facts.baseRate <= c.max,
          `${pct(c.min)} – ${pct(c.max)}`,
          `${pct(facts.baseRate)} of training rows are positive`,
        );
        break;
    }
  }
  return out;
}
