import type { Labels, Scores } from './common.ts';
import { checkLengths } from './common.ts';
import { type RankTable, rankTable } from './curves.ts';

/**
 * How the decision threshold is chosen. Choose it on validation data, then evaluate the test
 * set with { rule: 'fixed', value } so the test score is not tuned on itself.
 */
export type ThresholdRule =
  { rule: 'max-f1' } | { rule: 'fixed'; value: number } | { rule: 'top-k'; percent: number };

/** `table`: the scores' rankTable when the caller already has it (max-f1 reads it, nothing else does). */
export function chooseThreshold(
  labels: Labels,
  scores: Scores,
  rule: ThresholdRule,
  table?: RankTable,
): number {
  const n = checkLengths(labels, scores);
  switch (rule.rule) {
    case 'fixed':
      return rule.value;
    case 'top-k': {
      if (!(rule.percent > 0 && rule.percent <= 100))
        throw new RangeError(`top-k percent must be in (0, 100], got ${rule.percent}`);
      if (n === 0) return Infinity;
      // The k-th highest score; ties at it are all predicted positive, so slightly more than k may be.
      const k = Math.max(1, Math.ceil((n * rule.percent) / 100));
      const sorted = Float64Array.from(scores).sort();
      return sorted[n - k]!;
    }
    case 'max-f1': {
      const t = table ?? rankTable(labels, scores);
      const P = t.length > 0 ? t.tp[t.length - 1]! : 0;
      let best = -1;
      let threshold = Infinity;
      // Highest threshold wins ties: fewer customers flagged for the same F1.
      for (let j = 0; j < t.length; j++) {
        const tp = t.tp[j]!;
        const fp = t.fp[j]!;
        const f1 = 2 * tp + fp + (P - tp) > 0 ? (2 * tp) / (2 * tp + fp + (P - tp)) : 0;
        if (f1 > best) {
          best = f1;
          threshold = t.threshold[j]!;
        }
      }
      return threshold;
    }
  }
}
