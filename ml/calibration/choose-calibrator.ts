import { brierScore } from '../metrics.ts';
import { scoreOrder } from '../metrics/score-order.ts';
import {
  applyCalibrator,
  type CalibrationMethod,
  type Calibrator,
  fitCalibrator,
  fitIsotonicInOrder,
} from './calibrator.ts';
import { expectedCalibrationError } from './ece.ts';

/**
 * Small-data fallback, documented: with fewer than 100 calibration rows or 10 of either class
 * nothing is fitted (scores stay as the model gives them: a 2-parameter fit on so few rows moves
 * them more by noise than by signal); isotonic, whose steps need many points per step, is tried
 * only from 1,000 rows and 50 of each class; in between Platt alone.
 */
export const CALIBRATION_MIN_ROWS = 100;
export const CALIBRATION_MIN_CLASS = 10;
export const ISOTONIC_MIN_ROWS = 1_000;
export const ISOTONIC_MIN_CLASS = 50;

export interface CalibrationReport {
  method: CalibrationMethod;
  /** Why this method: the candidates' out-of-fold Brier scores, or the small-data rule that applied. */
  why: string;
  rows: number;
  /** Measured on the calibration rows, each calibrated by a calibrator fit on the other half only. */
  eceBefore: number;
  eceAfter: number;
  brierBefore: number;
  brierAfter: number;
}

export interface FittedCalibration {
  calibrator: Calibrator;
  report: CalibrationReport;
}

/**
 * Scores of each half calibrated by the method fit on the other half: calibrated scores of rows the
 * calibrator did not see. `order`: scoreOrder(scores, 'ascending') when the caller already has it
 * (isotonic fits read each half in that order instead of sorting it again).
 */
export function crossCalibrated(
  method: CalibrationMethod,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  halves: Uint8Array,
  order?: Uint32Array,
): Float64Array {
  const n = scores.length;
  const out = new Float64Array(n);
  const sorted = method === 'isotonic' ? (order ?? scoreOrder(scores, 'ascending')) : null;
  for (const h of [0, 1]) {
    let c: Calibrator;
    if (sorted) {
      // The other half's rows in the same order: ascending by score, ties in row order.
      let m = 0;
      const fitOrder = new Uint32Array(sorted.length);
      for (let r = 0; r < sorted.length; r++) if (halves[sorted[r]!] !== h) fitOrder[m++] = sorted[r]!;
      c = fitIsotonicInOrder(scores, labels, fitOrder.subarray(0, m));
    } else {
      let m = 0;
      for (let i = 0; i < n; i++) if (halves[i] !== h) m++;
      const fitScores = new Float64Array(m);
      const fitLabels = new Uint8Array(m);
      for (let i = 0, j = 0; i < n; i++)
        if (halves[i] !== h) {
          fitScores[j] = scores[i] as number;
          fitLabels[j++] = labels[i] as number;
        }
      c = fitCalibrator(method, fitScores, fitLabels);
    }
    for (let i = 0; i < n; i++) if (halves[i] === h) out[i] = applyCalibrator(c, scores[i] as number);
  }
  return out;
}

/**
 * Fits the calibrator on rows the model did not learn from (the validation slice or window):
 * the method is chosen by the Brier score of 2-fold cross-calibration on those rows, the figures
 * before/after are measured the same way (on rows each half's calibrator did not see), and the
 * calibrator kept is fit on all of them.
 */
export function chooseCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  halves: Uint8Array,
): FittedCalibration {
  return chooseCalibrationOutOfFold(scores, labels, halves).fitted;
}

/**
 * chooseCalibration, with the chosen method's out-of-fold scores (crossCalibrated's, null when
 * nothing is calibrated): the figures of the calibrated model that must come from rows each
 * half's calibrator did not see are measured on them, without fitting both halves again. The rows
 * are ranked once for every isotonic fit (both halves and the kept calibrator).
 */
export function chooseCalibrationOutOfFold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  halves: Uint8Array,
): { fitted: FittedCalibration; outOfFold: Float64Array | null } {
  const n = scores.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] === 1 ? 1 : 0;
  const minClass = Math.min(pos, n - pos);
  const eceBefore = expectedCalibrationError(labels, scores);
  const brierBefore = brierScore(labels, scores);
  const report = (method: CalibrationMethod, why: string, after: ArrayLike<number>): CalibrationReport => ({
    method,
    why,
    rows: n,
    eceBefore,
    eceAfter: expectedCalibrationError(labels, after),
    brierBefore,
    brierAfter: brierScore(labels, after),
  });
  if (n < CALIBRATION_MIN_ROWS || minClass < CALIBRATION_MIN_CLASS) {
    return {
      fitted: {
        calibrator: { method: 'none' },
        report: report(
          'none',
          `too few rows to calibrate (${n} rows, ${minClass} of the rarer class; needs ${CALIBRATION_MIN_ROWS} and ${CALIBRATION_MIN_CLASS})`,
          scores,
        ),
      },
      outOfFold: null,
    };
  }
  const methods: CalibrationMethod[] =
    n >= ISOTONIC_MIN_ROWS && minClass >= ISOTONIC_MIN_CLASS
      ? ['none', 'platt', 'isotonic']
      : ['none', 'platt'];
  const order = methods.includes('isotonic') ? scoreOrder(scores, 'ascending') : undefined;
  let best: { method: CalibrationMethod; brier: number; scores: ArrayLike<number> } | null = null;
  const tried: string[] = [];
  for (const m of methods) {
    const cross = m === 'none' ? scores : crossCalibrated(m, scores, labels, halves, order);
    const brier = brierScore(labels, cross);
    tried.push(`${m} ${brier.toFixed(4)}`);
    // Strictly better only: ties keep the simpler method (earlier in the list).
    if (!best || brier < best.brier - 1e-9) best = { method: m, brier, scores: cross };
  }
  const chosen = best!;
  const calibrator =
    chosen.method === 'isotonic' && order
      ? fitIsotonicInOrder(scores, labels, order)
      : fitCalibrator(chosen.method, scores, labels);
  return {
    fitted: {
      calibrator,
      report: report(chosen.method, `lowest out-of-fold Brier score (${tried.join(', ')})`, chosen.scores),
    },
    outOfFold: chosen.method === 'none' ? null : (chosen.scores as Float64Array),
  };
}
