import type { Labels, Scores } from './common.ts';
import { checkLengths, ratio } from './common.ts';

/** Threshold metrics and probability scores (scikit-learn conventions). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function confusionAt(labels: Labels, scores: Scores, threshold: number): Confusion {
  const n = checkLengths(labels, scores);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < n; i++) {
    const pred = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (pred) c.tp++;
      else c.fn++;
    } else if (pred) c.fp++;
    else c.tn++;
  }
  return c;
}

export interface ThresholdMetrics {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

export function metricsAt(labels: Labels, scores: Scores, threshold: number): ThresholdMetrics {
  const c = confusionAt(labels, scores, threshold);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    threshold,
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
    precision,
    recall,
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    confusion: c,
  };
}

const LOG_LOSS_EPS = 1e-15;

/** Mean negative log-likelihood; scores clipped to [eps, 1 − eps] so a confident miss is finite. */
export function logLoss(labels: Labels, scores: Scores): number {
  const n = checkLengths(labels, scores);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, scores[i] as number));
    s -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return n > 0 ? s / n : NaN;
}

export function brierScore(labels: Labels, scores: Scores): number {
  const n = checkLengths(labels, scores);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (scores[i] as number) - (labels[i] as number);
    s += d * d;
  }
  return n > 0 ? s / n : NaN;
}
