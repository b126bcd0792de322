import type { PromotionRule } from '../../config/pipeline.ts';

export type PromotionMetric = PromotionRule['metric'];

/** One model's side of the comparison; `value` null = undefined on these rows (e.g. one class). */
export interface Contender {
  /** The version's id (what aliases point to). */
  version: number;
  /** Its number within the pipeline, as people read it (v3); the id when absent. */
  number?: number;
  value: number | null;
  /** Why this model could not be scored on tonight's validation rows (e.g. other features). */
  unusable?: string;
}

export interface PromotionInput {
  rule: PromotionRule;
  challenger: Contender;
  champion: Contender | null;
}

export interface PromotionOutcome {
  promoted: boolean;
  /** The champion after the decision (null: there is none). */
  resultVersion: number | null;
  /** Whether the resulting champion passed the floor on tonight's rows: the model gate. */
  publishable: boolean;
  rule: string;
  reason: string;
}

const LOWER_IS_BETTER: ReadonlySet<PromotionMetric> = new Set(['logLoss', 'brier']);
const LABEL: Record<PromotionMetric, string> = {
  rocAuc: 'ROC-AUC',
  prAuc: 'PR-AUC',
  f1: 'F1',
  topDecileCapture: 'top-decile capture',
  logLoss: 'log-loss',
  brier: 'Brier score',
};
// Metric differences below this are float noise (0.781 − 0.776 is 0.00500000000000012).
const EPS = 1e-9;

const fmt = (v: number): string => v.toFixed(3);
const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))}`;

export function describeRule(rule: PromotionRule): string {
  const lower = LOWER_IS_BETTER.has(rule.metric);
  const side =
    rule.tolerance >= 0
      ? `no worse than the champion by more than ${fmt(rule.tolerance)}`
      : `better than the champion by at least ${fmt(-rule.tolerance)}`;
  return `${rule.metric} ${lower ? '≤' : '≥'} ${rule.floor} and ${side}, on the same validation rows`;
}

/**
 * The champion/challenger rule, pure: the challenger must pass the floor and, when a usable
 * champion exists, improve on it by at least −tolerance (higher-is-better direction).
 * Every outcome carries a reason a person can check against the numbers.
 */
export function decidePromotion({ rule, challenger, champion }: PromotionInput): PromotionOutcome {
  const name = LABEL[rule.metric];
  const lower = LOWER_IS_BETTER.has(rule.metric);
  const passes = (v: number | null): v is number =>
    v !== null && Number.isFinite(v) && (lower ? v <= rule.floor + EPS : v >= rule.floor - EPS);
  const show = (c: Contender): string => (c.value === null ? `${name} undefined` : `${name} ${fmt(c.value)}`);
  const floorText = `${lower ? 'ceiling' : 'floor'} ${fmt(rule.floor)}`;
  const out = (
    promoted: boolean,
    resultVersion: number | null,
    publishable: boolean,
    reason: string,
  ): PromotionOutcome => ({
    promoted,
    resultVersion,
    publishable,
    rule: describeRule(rule),
    reason,
  });
  const vc = `v${challenger.number ?? challenger.version}`;
  const ch = `challenger ${vc}`;
  const challengerOk = passes(challenger.value);
  const vsFloor = `${show(challenger)} ${challengerOk ? 'passes' : 'fails'} the ${floorText}`;

  if (champion === null) {
    if (challengerOk)
      return out(
        true,
        challenger.version,
        true,
        `first model of the pipeline: ${ch} ${vsFloor} → champion ${vc}`,
      );
    return out(false, null, false, `${ch} ${vsFloor} and there is no champion → no model to score with`);
  }
  const vp = `v${champion.number ?? champion.version}`;
  const cp = `champion ${vp}`;
  if (champion.version === challenger.version) {
    return out(
      false,
      champion.version,
      challengerOk,
      `${vc} is already the champion; ${show(challenger)} on tonight's rows`,
    );
  }
  if (champion.unusable !== undefined) {
    if (challengerOk)
      return out(
        true,
        challenger.version,
        true,
        `${cp} cannot be compared (${champion.unusable}); ${ch} ${vsFloor} → champion ${vc}`,
      );
    return out(
      false,
      champion.version,
      false,
      `${cp} cannot be compared (${champion.unusable}) and ${ch} ${vsFloor} → no usable model`,
    );
  }
  const championOk = passes(champion.value);
  if (!challengerOk) {
    const gate = championOk ? '' : `; the champion fails it too (${show(champion)}) → no usable model`;
    return out(
      false,
      champion.version,
      championOk,
      `${ch} ${vsFloor} → kept ${vp} (${show(champion)})${gate}`,
    );
  }
  if (champion.value === null || !Number.isFinite(champion.value)) {
    return out(
      true,
      challenger.version,
      true,
      `${cp} has ${name} undefined on tonight's rows; ${ch} ${vsFloor} → champion ${vc}`,
    );
  }
  const value = challenger.value as number;
  const gain = lower ? champion.value - value : value - champion.value;
  const needed = -rule.tolerance;
  // A tie keeps the champion: replacing a model by an equally good one only churns the registry
  // (identical data, params and seed give exactly this).
  const tie = Math.abs(gain) <= EPS;
  const enough = !tie && gain >= needed - EPS;
  const word = rule.tolerance >= 0 ? 'allowed' : 'required';
  const cmp = tie
    ? `${ch} ${name} ${fmt(value)} ties ${cp} ${fmt(champion.value)} on the same rows`
    : `${ch} ${name} ${fmt(value)} vs ${cp} ${fmt(champion.value)} (${signed(gain)} ${enough ? '≥' : '<'} ${signed(needed)} ${word}${lower ? ', lower is better' : ''})`;
  if (enough) return out(true, challenger.version, true, `${cmp} → champion ${vc}`);
  const gate = championOk ? '' : `; the champion fails the ${floorText} too → no usable model`;
  return out(false, champion.version, championOk, `${cmp} → kept ${vp}${gate}`);
}
