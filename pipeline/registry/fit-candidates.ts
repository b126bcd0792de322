import type { Pipeline } from '../../config/pipeline.ts';
import { BlendModel } from '../../ml/blend/blend-model.ts';
import type { CalibratedModel } from '../../ml/calibration/calibrated-model.ts';
import { calibrateAndEvaluateScores } from '../../ml/calibration/train-calibrated.ts';
import { type BlendSpec, type EngineName, trainModel } from '../../ml/engine.ts';
import { predictProbaOffThread } from '../../ml/predict-off-thread.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { type CandidateFigure, chooseCandidate } from './choose-candidate.ts';
import { fitBlendCandidate, type FittedCandidate } from './fit-blend.ts';
import { headlineMetrics } from './headline-metrics.ts';

/** What engine "auto" tries, simplest first (ties keep the earlier). */
export const AUTO_ENGINES: readonly EngineName[] = ['logistic', 'hist', 'gbdt'];

export interface FittedCandidates {
  model: CalibratedModel;
  engine: EngineName;
  /** With engine blend: its members and weights (the recipe's `blend`). */
  blend?: BlendSpec;
  candidates: CandidateFigure[];
  fitMs: number;
  /** Wall time of each phase (fit + calibrate per engine, their evaluation, the blend), for the step's details. */
  timings: Record<string, number>;
}

interface Options {
  threads: number | undefined;
  signal: AbortSignal;
  onProgress: (share: number) => void;
}

/**
 * Fits the pipeline's engine, or with engine "auto" every candidate, each calibrated on the
 * validation rows, and keeps the best by the promotion metric on those same rows (the rows the
 * champion is judged on next), with every candidate's figure. Each candidate scores the validation
 * rows once: those scores fit its calibrator, give its figures and feed the blend's selection.
 */
export async function fitCandidates(
  pipeline: Pipeline,
  train: FeatureMatrix,
  valid: FeatureMatrix,
  opts: Options,
): Promise<FittedCandidates> {
  const { engine, ...rest } = pipeline.model;
  const engines: readonly EngineName[] = engine === 'auto' ? AUTO_ENGINES : [engine];
  const timings: Record<string, number> = {};
  const pending: Promise<FittedCandidate>[] = [];
  for (const [i, name] of engines.entries()) {
    const started = performance.now();
    const base = await trainModel(
      train,
      { ...rest, engine: name },
      {
        threads: opts.threads,
        signal: opts.signal,
        onProgress: (done, total) => opts.onProgress((i + done / total) / engines.length),
      },
    );
    const raw = await predictProbaOffThread(base, valid.columns, { signal: opts.signal });
    const scoredAt = performance.now();
    // Calibrated and measured in one metrics-thread task, which runs while the next engine fits:
    // that task holds one core, and neither result depends on the other. Its calibrated scores
    // feed the blend's selection.
    const candidate = calibrateAndEvaluateScores(
      base,
      raw,
      { data: valid, ids: valid.ids },
      rest.threshold,
      rest.seed,
    ).then(({ model, evaluation, calibrated, calibrateMs }): FittedCandidate => {
      // Fit, scoring and calibration; the rest of the task is the figures' evaluation.
      const fitMs = Math.round(scoredAt - started) + calibrateMs;
      timings[`${name}Ms`] = fitMs;
      timings.evaluateMs = (timings.evaluateMs ?? 0) + Math.round(performance.now() - scoredAt) - calibrateMs;
      return {
        model,
        figure: {
          engine: name,
          metrics: headlineMetrics(evaluation),
          fitMs,
          calibration: model.calibrator.method,
        },
        ...(engines.length > 1 ? { probas: calibrated } : {}),
      };
    });
    // Awaited below; a failure before then (the next fit's) must not leave this one unhandled.
    candidate.catch(() => {});
    pending.push(candidate);
  }
  const fitted = await Promise.all(pending);
  // One more candidate: the blend of the fitted ones, kept only when strictly better (last: ties keep a single engine).
  const blendStarted = performance.now();
  const blend = await fitBlendCandidate(pipeline, fitted, valid, { signal: opts.signal });
  if (fitted.length > 1) timings.blendMs = Math.round(performance.now() - blendStarted);
  if (blend) fitted.push(blend);
  const candidates = chooseCandidate(
    pipeline.promotion.metric,
    fitted.map((f) => f.figure),
  );
  const at = candidates.findIndex((c) => c.chosen);
  const chosen = fitted[at]!;
  const inner = chosen.model.inner;
  return {
    model: chosen.model,
    engine: chosen.model.engine,
    ...(inner instanceof BlendModel ? { blend: inner.spec } : {}),
    candidates,
    fitMs: chosen.figure.fitMs,
    timings,
  };
}
