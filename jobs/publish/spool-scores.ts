import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Pool } from 'mysql2/promise';
import type { Model } from '../../ml/engine.ts';
import type { ScoreReason } from '../../db/schema/index.ts';
import { readFeatureChunks } from '../feature-chunks.ts';

export interface SpooledScores {
  file: string;
  /** Every row's score in id order: deciles need the whole distribution before any row is written. */
  scores: Float64Array;
  nRows: number;
  /** The explanations' base value (mean root value): base + all contributions = score. */
  base: number | null;
}

export interface SpoolOptions {
  pool: Pool;
  runKey: string;
  model: Model;
  expectedRows: number;
  chunkRows: number;
  reasons: number;
  signal: AbortSignal;
  onChunk(done: number): Promise<void>;
}

/**
 * Scores the run's scoring rows chunk by chunk and spools `[id, score, reasons]` lines to a local
 * file. Memory holds one chunk plus 8 bytes per row; deciles are computed once every score is
 * known and the spool is streamed into MySQL (see stageScores).
 */
export async function spoolScores(file: string, o: SpoolOptions): Promise<SpooledScores> {
  const scores = new Float64Array(o.expectedRows);
  // mljs forests have no path contributions: their customers get no reasons rather than no scores.
  const explain = o.reasons > 0 && o.model.engine === 'hist';
  const out = createWriteStream(file, { encoding: 'utf8' });
  let n = 0;
  let base: number | null = null;
  try {
    for await (const chunk of readFeatureChunks(
      o.pool,
      o.runKey,
      'score',
      o.model.featureNames.length,
      o.chunkRows,
    )) {
      o.signal.throwIfAborted();
      if (n + chunk.nRows > o.expectedRows)
        throw new Error(
          `feature_rows for ${o.runKey} hold more scoring rows than feature_sets says (${o.expectedRows})`,
        );
      const p = o.model.predictProba(chunk.columns);
      const ex = explain ? o.model.explainTop(chunk.columns, o.reasons) : null;
      if (ex) base = ex.base;
      let text = '';
      for (let r = 0; r < chunk.nRows; r++) {
        const s = p[r]!;
        scores[n + r] = s;
        const reasons: ScoreReason[] | null = ex
          ? ex.top[r]!.map((t) => ({
              feature: o.model.featureNames[t.feature]!,
              contribution: t.contribution,
            }))
          : null;
        text += JSON.stringify([chunk.ids[r], Number.isFinite(s) ? s : null, reasons]) + '\n';
      }
      n += chunk.nRows;
      if (!out.write(text)) await once(out, 'drain');
      await o.onChunk(n);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  if (n !== o.expectedRows)
    throw new Error(
      `feature_rows for ${o.runKey}: read ${n} scoring rows, feature_sets says ${o.expectedRows}`,
    );
  return { file, scores, nRows: n, base };
}

/** The spooled lines back, in the order they were written. */
export async function* readSpool(
  file: string,
): AsyncGenerator<[string, number | null, ScoreReason[] | null]> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line) yield JSON.parse(line) as [string, number | null, ScoreReason[] | null];
  }
}
