import type { Labels, Scores } from './common.ts';
import { checkLengths, descendingOrder, ratio } from './common.ts';

export interface DecileRow {
  /** 1 = the tenth of rows with the highest scores. */
  decile: number;
  rows: number;
  positives: number;
  rate: number;
  /** rate ÷ overall positive rate: how much better than picking customers at random. */
  lift: number;
  /** Share of all positives found in deciles 1..this one (cumulative gains). */
  cumulativeCapture: number;
}

/**
 * Row i of the score-descending order goes to decile ⌊10 i / n⌋ + 1; ties keep input order.
 * `order`: descendingOrder(scores) when the caller already has it.
 */
export function liftTable(labels: Labels, scores: Scores, order = descendingOrder(scores)): DecileRow[] {
  const n = checkLengths(labels, scores);
  const rows = new Array<number>(10).fill(0);
  const pos = new Array<number>(10).fill(0);
  let total = 0;
  order.forEach((r, i) => {
    const d = Math.floor((i * 10) / n);
    rows[d]! += 1;
    if (labels[r] === 1) {
      pos[d]! += 1;
      total++;
    }
  });
  const base = ratio(total, n);
  let cum = 0;
  return rows.map((count, d) => {
    cum += pos[d]!;
    const rate = ratio(pos[d]!, count);
    return {
      decile: d + 1,
      rows: count,
      positives: pos[d]!,
      rate,
      lift: ratio(rate, base),
      cumulativeCapture: ratio(cum, total),
    };
  });
}

export interface CalibrationBin {
  /** [lower, upper) of predicted probability (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/**
 * Ten equal-width bins with scikit-learn's calibration_curve edges (k · (1 + 1e-8) / 10, a
 * score on an edge goes to the lower bin), so its prob_true/prob_pred are our non-empty rows.
 */
export function calibrationTable(labels: Labels, scores: Scores, nBins = 10): CalibrationBin[] {
  const n = checkLengths(labels, scores);
  const step = (1 + 1e-8) / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, k) => k * step);
  const count = new Array<number>(nBins).fill(0);
  const sumP = new Array<number>(nBins).fill(0);
  const sumY = new Array<number>(nBins).fill(0);
  for (let i = 0; i < n; i++) {
    const p = scores[i] as number;
    let b = 0;
    while (b < nBins - 1 && edges[b + 1]! < p) b++;
    count[b]! += 1;
    sumP[b]! += p;
    sumY[b]! += labels[i] as number;
  }
  return count.map((c, b) => ({
    lower: b / nBins,
    upper: (b + 1) / nBins,
    count: c,
    meanPredicted: ratio(sumP[b]!, c),
    observedRate: ratio(sumY[b]!, c),
  }));
}
