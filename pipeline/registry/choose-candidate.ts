import type { PromotionRule } from '../../config/pipeline.ts';
import type { HeadlineMetrics } from './headline-metrics.ts';

/** One engine's figures on the run's validation rows, as recorded with the version. */
export interface CandidateFigure {
  engine: string;
  /** The promotion metric's value (null: undefined on these rows). */
  value: number | null;
  metrics: HeadlineMetrics;
  fitMs: number;
  calibration: string;
  chosen: boolean;
}

const LOWER_IS_BETTER = new Set<string>(['logLoss', 'brier']);

/**
 * Engine "auto": the candidate with the best promotion metric on the same validation rows wins
 * (ties and undefined values keep the earlier candidate, listed simplest first). Every
 * candidate's figure is returned, the winner marked.
 */
export function chooseCandidate(
  metric: PromotionRule['metric'],
  candidates: Omit<CandidateFigure, 'value' | 'chosen'>[],
): CandidateFigure[] {
  const lower = LOWER_IS_BETTER.has(metric);
  let best = -1;
  candidates.forEach((c, i) => {
    const v = c.metrics[metric];
    if (v === null || !Number.isFinite(v)) return;
    const b = best < 0 ? null : candidates[best]!.metrics[metric]!;
    if (b === null || (lower ? v < b - 1e-12 : v > b + 1e-12)) best = i;
  });
  if (best < 0) best = 0;
  return candidates.map((c, i) => ({ ...c, value: c.metrics[metric], chosen: i === best }));
}
