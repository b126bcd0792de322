import type { ExplainsAll, Explanation, FullExplanation, Model } from '../model.ts';
import { mapInSlices, type PredictOptions, predictProbaOffThread } from '../predict-off-thread.ts';
import { applyCalibrator, applyCalibratorAll, type Calibrator } from './calibrator.ts';
import type { CalibrationReport } from './choose-calibrator.ts';

const FORMAT = 'cpd-calibrated@1';

interface TopArrays {
  base: number;
  k: number;
  features: Int32Array;
  contributions: Float64Array;
}

interface ThreadedScorer {
  scoreAsync(
    columns: Float64Array[],
    opts: { k?: number; signal?: AbortSignal },
  ): Promise<{ proba: Float64Array; top: TopArrays | null }>;
}

/**
 * A model whose scores go through its calibrator: what is stored, evaluated and published. The
 * reasons are the model's, rescaled per row by (calibrated score − calibrated base) / (score −
 * base), so they still add up to the published score from the published base.
 */
export class CalibratedModel implements Model {
  constructor(
    readonly inner: Model,
    readonly calibrator: Calibrator,
    readonly report: CalibrationReport,
  ) {}

  get engine() {
    return this.inner.engine;
  }

  get featureNames() {
    return this.inner.featureNames;
  }

  predictProba(columns: Float64Array[]): Float64Array {
    return applyCalibratorAll(this.calibrator, this.inner.predictProba(columns));
  }

  /**
   * predictProba off the event loop: the base model's probabilities on worker threads (or in
   * yielding slices), then the calibrator over them in slices. Same numbers as predictProba.
   */
  async predictProbaAsync(columns: Float64Array[], opts: PredictOptions = {}): Promise<Float64Array> {
    const raw = await predictProbaOffThread(this.inner, columns, opts);
    return mapInSlices(raw, (p) => applyCalibrator(this.calibrator, p), opts.signal);
  }

  featureImportance(): number[] {
    return this.inner.featureImportance();
  }

  /** The probability scale of one row's reasons: finite even where score and base meet. */
  private scale(raw: number, base: number): number {
    const c = this.calibrator;
    const d = raw - base;
    if (Math.abs(d) > 1e-6) return (applyCalibrator(c, raw) - applyCalibrator(c, base)) / d;
    const h = 1e-4;
    return (applyCalibrator(c, raw + h) - applyCalibrator(c, raw - h)) / (2 * h);
  }

  explainTop(columns: Float64Array[], k: number): Explanation {
    const raw = this.inner.predictProba(columns);
    const ex = this.inner.explainTop(columns, k);
    return {
      base: applyCalibrator(this.calibrator, ex.base),
      top: ex.top.map((row, r) => {
        const s = this.scale(raw[r]!, ex.base);
        return row.map((t) => ({ feature: t.feature, contribution: t.contribution * s }));
      }),
    };
  }

  /** Every contribution in flat arrays, calibrated like explainTop's; absent when the inner model has no such path. */
  get explainAll(): ExplainsAll['explainAll'] | undefined {
    const inner = this.inner as Partial<ExplainsAll>;
    if (typeof inner.explainAll !== 'function') return undefined;
    const run = inner.explainAll.bind(inner);
    return (columns) => {
      const ex: FullExplanation = run(columns);
      const n = ex.proba.length;
      const nf = n > 0 ? ex.contributions.length / n : 0;
      const proba = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const s = this.scale(ex.proba[r]!, ex.base);
        for (let f = 0; f < nf; f++) ex.contributions[r * nf + f]! *= s;
        proba[r] = applyCalibrator(this.calibrator, ex.proba[r]!);
      }
      return { base: applyCalibrator(this.calibrator, ex.base), proba, contributions: ex.contributions };
    };
  }

  /** The inner model's threaded scorer, calibrated; absent when the inner model has none. */
  get scoreAsync(): ThreadedScorer['scoreAsync'] | undefined {
    const inner = this.inner as Partial<ThreadedScorer>;
    if (typeof inner.scoreAsync !== 'function') return undefined;
    const run = inner.scoreAsync.bind(inner);
    return async (columns, opts) => {
      const { proba, top } = await run(columns, opts);
      const out = applyCalibratorAll(this.calibrator, proba);
      if (!top) return { proba: out, top };
      const contributions = new Float64Array(top.contributions.length);
      for (let r = 0; r < proba.length; r++) {
        const s = this.scale(proba[r]!, top.base);
        for (let i = 0; i < top.k; i++) contributions[r * top.k + i] = top.contributions[r * top.k + i]! * s;
      }
      return { proba: out, top: { ...top, base: applyCalibrator(this.calibrator, top.base), contributions } };
    };
  }

  serialize(): string {
    // The inner model's JSON is spliced in as it is: a big forest is not parsed and re-written.
    const head = JSON.stringify({
      format: FORMAT,
      engine: this.inner.engine,
      calibrator: this.calibrator,
      report: this.report,
    });
    return `${head.slice(0, -1)},"model":${this.inner.serialize()}}`;
  }

  static isSerialized(
    parsed: unknown,
  ): parsed is { model: unknown; calibrator: Calibrator; report: CalibrationReport } {
    return (parsed as { format?: unknown } | null)?.format === FORMAT;
  }
}
