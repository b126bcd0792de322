import type { EngineName, ExplainsAll, Explanation, FullExplanation, Model } from '../model.ts';
import { type DesignColumn, designMatrix } from './design.ts';

const FORMAT = 'cpd-logistic@1';

export interface LogisticParams {
  /** Inverse regularisation strength (scikit-learn's C). */
  C: number;
}

/** Logistic regression on the standardised design: base = the average training row's probability. */
export class LogisticModel implements Model, ExplainsAll {
  readonly engine: EngineName = 'logistic';

  constructor(
    readonly featureNames: string[],
    readonly params: LogisticParams,
    private readonly design: DesignColumn[],
    private readonly weights: number[],
    private readonly intercept: number,
  ) {}

  /** Per row, per feature: its logit contribution (one-hot and missing columns summed into their feature). */
  private contributions(columns: Float64Array[]): { logit: Float64Array; byFeature: Float64Array } {
    const n = columns[0]?.length ?? 0;
    const d = this.design.length;
    const nf = this.featureNames.length;
    const x = designMatrix(this.design, columns, n);
    const logit = new Float64Array(n).fill(this.intercept);
    const byFeature = new Float64Array(n * nf);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        const c = this.weights[j]! * x[i * d + j]!;
        logit[i]! += c;
        byFeature[i * nf + this.design[j]!.feature]! += c;
      }
    return { logit, byFeature };
  }

  /** The logits alone, summed as contributions sums them (same numbers), without a contribution per feature per row. */
  predictProba(columns: Float64Array[]): Float64Array {
    const n = columns[0]?.length ?? 0;
    const d = this.design.length;
    const x = designMatrix(this.design, columns, n);
    const logit = new Float64Array(n).fill(this.intercept);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) logit[i]! += this.weights[j]! * x[i * d + j]!;
    return logit.map((z) => 1 / (1 + Math.exp(-z)));
  }

  /** |weight| × spread summed per feature: the standardised coefficients' share. */
  featureImportance(): number[] {
    const out = new Array<number>(this.featureNames.length).fill(0);
    this.design.forEach((c, j) => (out[c.feature]! += Math.abs(this.weights[j]!)));
    const total = out.reduce((a, b) => a + b, 0) || 1;
    return out.map((v) => v / total);
  }

  /** Logit contributions rescaled per row so base + Σ = probability (see CalibratedModel for the same idea). */
  /** explainTop's contributions for every feature, in place in one flat array. */
  explainAll(columns: Float64Array[]): FullExplanation {
    const { logit, byFeature } = this.contributions(columns);
    const nf = this.featureNames.length;
    const base = 1 / (1 + Math.exp(-this.intercept));
    const proba = new Float64Array(logit.length);
    for (let i = 0; i < logit.length; i++) {
      const p = 1 / (1 + Math.exp(-logit[i]!));
      const dz = logit[i]! - this.intercept;
      const scale = Math.abs(dz) > 1e-9 ? (p - base) / dz : p * (1 - p);
      proba[i] = p;
      for (let f = 0; f < nf; f++) byFeature[i * nf + f]! *= scale;
    }
    return { base, proba, contributions: byFeature };
  }

  explainTop(columns: Float64Array[], k: number): Explanation {
    const { logit, byFeature } = this.contributions(columns);
    const nf = this.featureNames.length;
    const base = 1 / (1 + Math.exp(-this.intercept));
    const top: Explanation['top'] = [];
    for (let i = 0; i < logit.length; i++) {
      const p = 1 / (1 + Math.exp(-logit[i]!));
      const dz = logit[i]! - this.intercept;
      const scale = Math.abs(dz) > 1e-9 ? (p - base) / dz : p * (1 - p);
      const row = Array.from({ length: nf }, (_, f) => ({
        feature: f,
        contribution: byFeature[i * nf + f]! * scale,
      }))
        .filter((r) => r.contribution !== 0)
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature - b.feature)
        .slice(0, k);
      top.push(row);
    }
    return { base, top };
  }

  serialize(): string {
    return JSON.stringify({
      format: FORMAT,
      engine: this.engine,
      featureNames: this.featureNames,
      params: this.params,
      design: this.design,
      weights: this.weights,
      intercept: this.intercept,
    });
  }

  static load(parsed: unknown): LogisticModel {
    const s = parsed as Partial<{
      format: string;
      featureNames: string[];
      params: LogisticParams;
      design: DesignColumn[];
      weights: number[];
      intercept: number;
    }> | null;
    if (!s || s.format !== FORMAT || !s.featureNames || !s.design || !s.weights || s.intercept === undefined)
      throw new Error(`not a serialized logistic regression (expected format ${FORMAT})`);
    return new LogisticModel(s.featureNames, s.params ?? { C: 1 }, s.design, s.weights, s.intercept);
  }
}
