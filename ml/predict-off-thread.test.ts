import { describe, expect, it } from 'vitest';
import { calibrate } from './calibration/train-calibrated.ts';
import { makeSynthetic } from './datasets/synthetic.ts';
import { trainModel } from './engine.ts';
import { predictProbaOffThread } from './predict-off-thread.ts';

const train = makeSynthetic({ nRows: 4_000, seed: 21 });
const rows = makeSynthetic({ nRows: 110_000, seed: 22 });
const ids = Array.from({ length: rows.nRows }, (_, i) => `r${i}`);

describe('predictProbaOffThread', () => {
  it('gives predictProba’s numbers for an engine without threads (in slices) and for the forest (threads)', async () => {
    for (const engine of ['logistic', 'hist'] as const) {
      const model = await trainModel(train, { engine, nTrees: 8, seed: 3 }, { threads: 2 });
      const sliced = await predictProbaOffThread(model, rows.columns);
      expect(Buffer.from(sliced.buffer).equals(Buffer.from(model.predictProba(rows.columns).buffer))).toBe(
        true,
      );
    }
  });

  it('a calibrated model scores off the event loop with the same numbers, calibrator applied after', async () => {
    const model = await trainModel(train, { engine: 'hist', nTrees: 8, seed: 3 }, { threads: 2 });
    const calibrated = await calibrate(model, { data: rows, ids }, 3);
    expect(calibrated.calibrator.method).not.toBe('none');
    const sync = calibrated.predictProba(rows.columns);
    // The loop keeps turning while the rows are scored: a timer fires before the scores are back.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const off = await predictProbaOffThread(calibrated, rows.columns);
    clearInterval(timer);
    expect(Array.from(off)).toEqual(Array.from(sync));
    expect(ticks).toBeGreaterThan(0);
  });
});
