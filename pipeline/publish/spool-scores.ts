import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Pool } from 'mysql2/promise';
import type { Model } from '../../ml/engine.ts';
import type { ReasonWriter } from '../../reports/reason-sentences.ts';
import type { FeatureChunk, FeaturePageReader } from '../features/feature-chunks.ts';

export interface SpooledScores {
  file: string;
  /** Every row's score in id order (NaN = none): deciles need the whole distribution first. */
  scores: Float64Array;
  nRows: number;
  /** The explanations' base value (mean root value): base + all contributions = score. */
  base: number | null;
}

export interface SpoolOptions {
  pool: Pool;
  /** The pages of the run's scoring rows, read where the pipeline's mode keeps its features. */
  readPages: FeaturePageReader;
  runKey: string;
  model: Model;
  expectedRows: number;
  chunkRows: number;
  reasons: number;
  /**
   * Out-of-fold scores of the rows whose outcome is known (labeled rows), by id: published instead
   * of the model's (in-sample) score, marked as known outcomes and without reasons (the model's
   * reasons would not add up to a score it did not give).
   */
  knownOutcomes?: ReadonlyMap<string, number>;
  /** Words each reason (value, rank, sentence) beside its machine form; without it: feature + contribution. */
  explain?: ReasonWriter;
  signal: AbortSignal;
  onChunk(done: number): Promise<void>;
}

/** One chunk's probabilities and top reasons in flat arrays (row r's i-th reason at r*k + i, −1 = none). */
interface ChunkScores {
  proba: Float64Array;
  top: { base: number; k: number; features: Int32Array; contributions: Float64Array } | null;
}

/** The forest's one-pass scorer on worker threads (probabilities + top-k), where the engine has one. */
interface ThreadedScorer {
  scoreAsync(columns: Float64Array[], opts: { k?: number; signal?: AbortSignal }): Promise<ChunkScores>;
}

async function scoreChunk(
  model: Model,
  chunk: FeatureChunk,
  k: number,
  signal: AbortSignal,
): Promise<ChunkScores> {
  const threaded = model as Partial<ThreadedScorer>;
  if (typeof threaded.scoreAsync === 'function') return threaded.scoreAsync(chunk.columns, { k, signal });
  const proba = model.predictProba(chunk.columns);
  if (k === 0) return { proba, top: null };
  const ex = model.explainTop(chunk.columns, k);
  const features = new Int32Array(chunk.nRows * k).fill(-1);
  const contributions = new Float64Array(chunk.nRows * k);
  ex.top.forEach((row, r) =>
    row.forEach((t, i) => ((features[r * k + i] = t.feature), (contributions[r * k + i] = t.contribution))),
  );
  return { proba, top: { base: ex.base, k, features, contributions } };
}

/**
 * Scores the run's scoring rows chunk by chunk and spools one line per customer to a local file
 * (`score \t reasons-json \t known \t id-json`). Memory holds one chunk plus 8 bytes per row; deciles are
 * computed once every score is known and the spool is streamed into MySQL (stageScores).
 */
export async function spoolScores(file: string, o: SpoolOptions): Promise<SpooledScores> {
  const scores = new Float64Array(o.expectedRows);
  // mljs forests have no path contributions: their customers get no reasons rather than no scores.
  const k = o.model.engine !== 'mljs' ? Math.min(o.reasons, o.model.featureNames.length) : 0;
  const quoted = o.model.featureNames.map((f) => `{"feature":${JSON.stringify(f)},"contribution":`);
  const out = createWriteStream(file, { encoding: 'utf8' });
  let n = 0;
  let base: number | null = null;
  try {
    for await (const chunk of o.readPages(
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
      const { proba, top } = await scoreChunk(o.model, chunk, k, o.signal);
      if (top) base = top.base;
      if (top) o.explain?.observe(chunk.columns);
      let text = '';
      for (let r = 0; r < chunk.nRows; r++) {
        const known = o.knownOutcomes?.get(chunk.ids[r]!);
        const s = known ?? proba[r]!;
        scores[n + r] = Number.isFinite(s) ? s : NaN;
        let reasons = '\\N';
        if (top && known === undefined) {
          // Built by hand from the flat arrays: a million customers × 3 reasons as objects would dominate the step.
          reasons = '[';
          for (let i = 0; i < top.k; i++) {
            const f = top.features[r * top.k + i]!;
            if (f < 0) break;
            const c = top.contributions[r * top.k + i]!;
            reasons += `${i ? ',' : ''}${o.explain ? o.explain.json(f, c, chunk.columns[f]![r]!) : `${quoted[f]}${c}}`}`;
          }
          reasons += ']';
        }
        text += `${Number.isFinite(s) ? s : '\\N'}\t${reasons}\t${known === undefined ? 0 : 1}\t${JSON.stringify(chunk.ids[r])}\n`;
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

/** The spooled lines back, in the order they were written: [score, reasons JSON, customer id, known outcome 0/1]. */
export async function* readSpool(
  file: string,
): AsyncGenerator<[number | null, string | null, string, 0 | 1]> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    const score = line.slice(0, a);
    const reasons = line.slice(a + 1, b);
    // The known flag is one character between the reasons and the id.
    yield [
      score === '\\N' ? null : Number(score),
      reasons === '\\N' ? null : reasons,
      JSON.parse(line.slice(b + 3)) as string,
      line[b + 1] === '1' ? 1 : 0,
    ];
  }
}
