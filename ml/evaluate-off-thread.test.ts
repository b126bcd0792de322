import { describe, expect, it } from 'vitest';
import { evaluateBinaryOffThread } from './evaluate-off-thread.ts';
import { evaluateBinary } from './metrics.ts';
import { createRng } from './random.ts';

describe('evaluateBinaryOffThread', () => {
  it('gives the numbers of evaluateBinary, computed on a worker thread', async () => {
    const n = 30_000;
    const rng = createRng(7, 0);
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.next() < 0.2 ? 1 : 0;
      scores[i] = Math.min(1, rng.next() * 0.7 + labels[i]! * 0.3);
    }
    const rule = { rule: 'max-f1' } as const;
    expect(await evaluateBinaryOffThread(labels, scores, rule)).toEqual(evaluateBinary(labels, scores, rule));
  });
});
