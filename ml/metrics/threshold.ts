import type { Labels, Scores } from './common.ts';
import { checkLengths } from './common.ts';
import { rankPoints } from './curves.ts';

/**
 * How the decision threshold is chosen. Choose it on validation data, then evaluate the test
 * set with { rule: 'fixed', value } so the test score is not tuned on itself.
 */
export type ThresholdRule =
  { rule: 'max-f1' } | { rule: 'fixed'; value: number } | { rule: 'top-k'; percent: number };

export function chooseThreshold(labels: Labels, scores: Scores, rule: ThresholdRule): number {
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
      const pts = rankPoints(labels, scores);
      const P = pts[pts.length - 1]?.tp ?? 0;
      let best = -1;
      let threshold = Infinity;
      // Highest threshold wins ties: fewer customers flagged for the same F1.
      for (const p of pts) {
        const f1 = 2 * p.tp + p.fp + (P - p.tp) > 0 ? (2 * p.tp) / (2 * p.tp + p.fp + (P - p.tp)) : 0;
        if (f1 > best) {
          best = f1;
          threshold = p.threshold;
        }
      }
      return threshold;
    }
  }
}
