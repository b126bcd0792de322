import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../config/pipeline.ts';
import { makeSynthetic } from '../../ml/datasets/synthetic.ts';
import { rocAuc } from '../../ml/metrics.ts';
import type { FeatureMatrix } from '../features/feature-matrix-type.ts';
import { AUTO_ENGINES, fitCandidates } from './fit-candidates.ts';

const matrix = (nRows: number, seed: number, prefix: string): FeatureMatrix => ({
  ...makeSynthetic({ nRows, seed }),
  ids: Array.from({ length: nRows }, (_, i) => `${prefix}${i}`),
});

describe('engine auto', () => {
  it('fits every candidate, records each validation figure, and keeps the best', async () => {
    const pipeline = parsePipeline(
      {
        name: 'auto',
        mode: 'labeled',
        sources: [{ kind: 'file', path: 'x.csv' }],
        columns: { label: { column: 'y' } },
        model: { nTrees: 30, seed: 4 },
      },
      'test',
    );
    expect(pipeline.model.engine).toBe('auto');
    const train = matrix(3_000, 1, 't');
    const valid = matrix(1_500, 2, 'v');
    const out = await fitCandidates(pipeline, train, valid, {
      threads: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(out.candidates.map((c) => c.engine)).toEqual([...AUTO_ENGINES]);
    for (const c of out.candidates) expect(c.value).toBe(c.metrics.rocAuc);
    const best = Math.max(...out.candidates.map((c) => c.value!));
    const chosen = out.candidates.filter((c) => c.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.value).toBe(best);
    expect(out.engine).toBe(chosen[0]!.engine);
    // The kept model is the one measured: its validation ROC-AUC is the recorded figure.
    expect(rocAuc(valid.labels, out.model.predictProba(valid.columns))).toBeCloseTo(best, 12);
    // Different engines really were fitted: their figures differ.
    expect(new Set(out.candidates.map((c) => c.value)).size).toBe(AUTO_ENGINES.length);
  });
});
