import { describe, expect, it } from 'vitest';
import { promotionSchema } from '../../config/pipeline.ts';
import { decidePromotion } from './promotion.ts';

const rule = promotionSchema.parse({ metric: 'rocAuc', floor: 0.6, tolerance: 0.005 });
const strict = promotionSchema.parse({ metric: 'rocAuc', floor: 0.6, tolerance: -0.01 });

describe('decidePromotion', () => {
  it('promotes a better challenger and says by how much', () => {
    const d = decidePromotion({
      rule,
      challenger: { version: 42, value: 0.812 },
      champion: { version: 40, value: 0.776 },
    });
    expect(d).toMatchObject({ promoted: true, resultVersion: 42, publishable: true });
    expect(d.reason).toBe(
      'challenger v42 ROC-AUC 0.812 vs champion v40 0.776 (+0.036 ≥ −0.005 allowed) → champion v42',
    );
  });

  it('names versions by their number within the pipeline, and decides on the ids', () => {
    const d = decidePromotion({
      rule,
      challenger: { version: 42, number: 3, value: 0.812 },
      champion: { version: 40, number: 2, value: 0.776 },
    });
    expect(d).toMatchObject({ promoted: true, resultVersion: 42 });
    expect(d.reason).toBe(
      'challenger v3 ROC-AUC 0.812 vs champion v2 0.776 (+0.036 ≥ −0.005 allowed) → champion v3',
    );
  });

  it('keeps the champion against a worse challenger, and the reason says why', () => {
    const d = decidePromotion({
      rule,
      challenger: { version: 42, value: 0.761 },
      champion: { version: 40, value: 0.776 },
    });
    expect(d).toMatchObject({ promoted: false, resultVersion: 40, publishable: true });
    expect(d.reason).toBe(
      'challenger v42 ROC-AUC 0.761 vs champion v40 0.776 (−0.015 < −0.005 allowed) → kept v40',
    );
  });

  it('a tie keeps the champion, whatever the tolerance (identical data, params and seed)', () => {
    for (const r of [rule, strict]) {
      const d = decidePromotion({
        rule: r,
        challenger: { version: 42, value: 0.8992 },
        champion: { version: 40, value: 0.8992 },
      });
      expect(d).toMatchObject({ promoted: false, resultVersion: 40, publishable: true });
      expect(d.reason).toBe(
        'challenger v42 ROC-AUC 0.899 ties champion v40 0.899 on the same rows → kept v40',
      );
    }
  });

  it('promotes within the tolerance (a fresher model, equal within noise)', () => {
    const d = decidePromotion({
      rule,
      challenger: { version: 42, value: 0.772 },
      champion: { version: 40, value: 0.776 },
    });
    expect(d.promoted).toBe(true);
    expect(d.reason).toContain('(−0.004 ≥ −0.005 allowed)');
  });

  it('a negative tolerance is a required improvement; float noise at the boundary does not flip it', () => {
    const short = decidePromotion({
      rule: strict,
      challenger: { version: 42, value: 0.781 },
      champion: { version: 40, value: 0.776 },
    });
    expect(short.promoted).toBe(false);
    expect(short.reason).toBe(
      'challenger v42 ROC-AUC 0.781 vs champion v40 0.776 (+0.005 < +0.010 required) → kept v40',
    );
    const exact = decidePromotion({
      rule: strict,
      challenger: { version: 42, value: 0.786 },
      champion: { version: 40, value: 0.776 },
    });
    expect(exact.promoted).toBe(true);
  });

  it('lower-is-better metrics compare the other way round and the floor is a ceiling', () => {
    const logLoss = promotionSchema.parse({ metric: 'logLoss', floor: 0.5, tolerance: 0 });
    const better = decidePromotion({
      rule: logLoss,
      challenger: { version: 2, value: 0.3 },
      champion: { version: 1, value: 0.35 },
    });
    expect(better.promoted).toBe(true);
    expect(better.reason).toContain('(+0.050 ≥ +0.000 allowed, lower is better)');
    const worse = decidePromotion({
      rule: logLoss,
      challenger: { version: 2, value: 0.36 },
      champion: { version: 1, value: 0.35 },
    });
    expect(worse).toMatchObject({ promoted: false, resultVersion: 1 });
    const tooHigh = decidePromotion({
      rule: logLoss,
      challenger: { version: 2, value: 0.7 },
      champion: null,
    });
    expect(tooHigh).toMatchObject({ promoted: false, resultVersion: null, publishable: false });
    expect(tooHigh.reason).toContain('fails the ceiling 0.500');
  });

  it('the first model becomes champion only if it passes the floor', () => {
    const first = decidePromotion({ rule, challenger: { version: 1, value: 0.9 }, champion: null });
    expect(first).toMatchObject({ promoted: true, resultVersion: 1, publishable: true });
    expect(first.reason).toBe(
      'first model of the pipeline: challenger v1 ROC-AUC 0.900 passes the floor 0.600 → champion v1',
    );
    const bad = decidePromotion({ rule, challenger: { version: 1, value: 0.55 }, champion: null });
    expect(bad).toMatchObject({ promoted: false, resultVersion: null, publishable: false });
    expect(bad.reason).toBe(
      'challenger v1 ROC-AUC 0.550 fails the floor 0.600 and there is no champion → no model to score with',
    );
  });

  it('a challenger under the floor keeps the champion; if the champion fails it too nothing is publishable', () => {
    const kept = decidePromotion({
      rule,
      challenger: { version: 5, value: 0.58 },
      champion: { version: 4, value: 0.7 },
    });
    expect(kept).toMatchObject({ promoted: false, resultVersion: 4, publishable: true });
    expect(kept.reason).toBe('challenger v5 ROC-AUC 0.580 fails the floor 0.600 → kept v4 (ROC-AUC 0.700)');
    const both = decidePromotion({
      rule,
      challenger: { version: 5, value: 0.58 },
      champion: { version: 4, value: 0.59 },
    });
    expect(both).toMatchObject({ promoted: false, resultVersion: 4, publishable: false });
    expect(both.reason).toContain('the champion fails it too');
  });

  it('an undefined metric (one class in the validation rows) never passes the floor', () => {
    const d = decidePromotion({ rule, challenger: { version: 5, value: null }, champion: null });
    expect(d).toMatchObject({ promoted: false, publishable: false });
    expect(d.reason).toContain('ROC-AUC undefined fails the floor');
  });

  it('a champion trained on other features is decided by the floor alone, and says so', () => {
    const unusable = 'trained on other features: missing recency_days';
    const d = decidePromotion({
      rule,
      challenger: { version: 9, value: 0.8 },
      champion: { version: 7, value: null, unusable },
    });
    expect(d).toMatchObject({ promoted: true, resultVersion: 9 });
    expect(d.reason).toBe(
      `champion v7 cannot be compared (${unusable}); challenger v9 ROC-AUC 0.800 passes the floor 0.600 → champion v9`,
    );
    const gated = decidePromotion({
      rule,
      challenger: { version: 9, value: 0.5 },
      champion: { version: 7, value: null, unusable },
    });
    expect(gated).toMatchObject({ promoted: false, publishable: false });
  });

  it('a rerun whose model is already champion keeps it', () => {
    const d = decidePromotion({
      rule,
      challenger: { version: 3, value: 0.9 },
      champion: { version: 3, value: 0.9 },
    });
    expect(d).toMatchObject({ promoted: false, resultVersion: 3, publishable: true });
  });
});
