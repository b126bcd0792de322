import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import type { Pool } from 'mysql2/promise';
import type { Model } from '../../ml/engine.ts';
import type { ReasonWriter } from '../../reports/reason-sentences.ts';
import type { FeatureChunk, FeaturePageReader, FeatureRange } from '../features/feature-chunks.ts';
import { VALUE_COLUMNS } from '../value/value-columns.ts';
import type { ReasonWording, TextSlice } from './spool-text.ts';
import { inlineText, type TextWriter, threadedText } from './spool-text-pool.ts';

export interface SpooledScores {
  file: string;
  /** Every row's score in id order (NaN = none): deciles need the whole distribution first. */
  scores: Float64Array;
  nRows: number;
  /** The explanations' base value (mean root value): base + all contributions = score. */
  base: number | null;
  /** Where each slice of lines starts (line number, byte offset): the places the spool can be read from. */
  starts: SpoolPlace[];
}

/** A line's start in the spool: its number (from 0) and its byte offset. */
export interface SpoolPlace {
  line: number;
  byte: number;
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
  /** Only these rows (one chunk of a fan-out); expectedRows is then the chunk's count. */
  range?: FeatureRange;
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

/** Rows per scoring call: enough for the threaded scorer to use every core (it needs 50k a thread). */
const SCORE_BATCH_ROWS = 200_000;
/** Rows per slice of spool text: bounded buffers, and enough slices per batch to keep every text thread busy. */
const TEXT_SLICE_ROWS = 25_000;
/** From this many rows the text is written on threads (below, starting them costs more than it saves). */
const THREADED_TEXT_ROWS = 100_000;

/** Pages joined into batches of at least `rows` (the last may be smaller). */
async function* batches(pages: AsyncGenerator<FeatureChunk>, rows: number): AsyncGenerator<FeatureChunk> {
  let held: FeatureChunk[] = [];
  let n = 0;
  const joined = (pick: (p: FeatureChunk) => Float64Array[]): Float64Array[] =>
    pick(held[0]!).map((_, j) => {
      const col = new Float64Array(n);
      let at = 0;
      for (const p of held) col.set(pick(p)[j]!, (at += p.nRows) - p.nRows);
      return col;
    });
  const join = (): FeatureChunk => {
    if (held.length === 1) return held[0]!;
    const value = held[0]!.value && joined((p) => p.value!);
    return {
      ids: held.flatMap((p) => p.ids),
      columns: joined((p) => p.columns),
      nRows: n,
      ...(value ? { value } : {}),
    };
  };
  for await (const page of pages) {
    held.push(page);
    n += page.nRows;
    if (n < rows) continue;
    yield join();
    held = [];
    n = 0;
  }
  if (n > 0) yield join();
}

/**
 * Scores the run's scoring rows (or the `range` of them one chunk of a fan-out owns) and spools one
 * line per customer to a local file, in the form LOAD DATA reads as it is:
 * `seq \t score \t reasons-json \t known \t id` and the customer-value figures (VALUE_COLUMNS, the
 * mode's or \N), TSV-escaped, \N = null. Pages are scored in
 * batches on the engine's worker threads while the previous batch is written, so reading, scoring
 * and writing overlap. Memory holds two batches plus 8 bytes per row; deciles are computed once
 * every score is known.
 */
export async function spoolScores(file: string, o: SpoolOptions): Promise<SpooledScores> {
  const scores = new Float64Array(o.expectedRows);
  // mljs forests have no path contributions: their customers get no reasons rather than no scores.
  const k = o.model.engine !== 'mljs' ? Math.min(o.reasons, o.model.featureNames.length) : 0;
  const out = createWriteStream(file);
  let n = 0;
  let bytes = 0;
  const starts: SpoolPlace[] = [];
  let base: number | null = null;
  // Started with the first batch, once the reasons' reference (the first page) has been observed.
  let text: TextWriter | null = null;
  const startText = (): TextWriter => {
    const wording: ReasonWording = o.explain
      ? { kind: 'words', state: o.explain.state() }
      : { kind: 'machine', names: o.model.featureNames };
    return o.expectedRows >= THREADED_TEXT_ROWS ? threadedText(wording) : inlineText(wording);
  };
  const write = async (chunk: FeatureChunk, scored: Promise<ChunkScores>): Promise<void> => {
    const { proba, top } = await scored;
    if (top) base = top.base;
    text ??= startText();
    const lines: { line: number; text: Promise<Buffer> }[] = [];
    for (let r0 = 0; r0 < chunk.nRows; r0 += TEXT_SLICE_ROWS) {
      const r1 = Math.min(chunk.nRows, r0 + TEXT_SLICE_ROWS);
      const slice = textSlice(chunk, proba, top, r0, r1, n, o.knownOutcomes);
      scores.set(slice.scores, n + r0);
      const p = text.lines(slice);
      p.catch(() => undefined);
      lines.push({ line: n + r0, text: p });
    }
    for (const { line, text } of lines) {
      const piece = await text;
      starts.push({ line, byte: bytes });
      bytes += piece.length;
      // Back to the event loop after every slice, whether or not the file needs draining.
      if (!out.write(piece)) await once(out, 'drain');
      else await setImmediate();
    }
    n += chunk.nRows;
    await o.onChunk(n);
  };
  let pending: { chunk: FeatureChunk; scored: Promise<ChunkScores> } | null = null;
  let seen = 0;
  try {
    const pages = o.readPages(o.pool, o.runKey, 'score', o.model.featureNames.length, o.chunkRows, o.range);
    for await (const chunk of batches(observed(pages, o.explain), SCORE_BATCH_ROWS)) {
      o.signal.throwIfAborted();
      seen += chunk.nRows;
      if (seen > o.expectedRows)
        throw new Error(
          `feature_rows for ${o.runKey} hold more scoring rows than expected (${o.expectedRows})`,
        );
      // This batch is scored on the threads while the previous one is written.
      const next = { chunk, scored: scoreChunk(o.model, chunk, k, o.signal) };
      next.scored.catch(() => undefined);
      if (pending) await write(pending.chunk, pending.scored);
      pending = next;
    }
    if (pending) await write(pending.chunk, pending.scored);
  } finally {
    await (text as TextWriter | null)?.close();
    out.end();
    await once(out, 'close');
  }
  if (n !== o.expectedRows)
    throw new Error(`feature_rows for ${o.runKey}: read ${n} scoring rows, expected ${o.expectedRows}`);
  return { file, scores, nRows: n, base, starts };
}

/**
 * Rows [r0, r1) of a scored batch as the text writer takes them, in arrays of their own (they are
 * handed to a thread): the published score (a known outcome's out-of-fold score, else the model's;
 * NaN = none), and each reason's feature value beside its contribution.
 */
function textSlice(
  chunk: FeatureChunk,
  proba: Float64Array,
  top: ChunkScores['top'],
  r0: number,
  r1: number,
  seq0: number,
  knownOutcomes: ReadonlyMap<string, number> | undefined,
): TextSlice {
  const m = r1 - r0;
  const scores = proba.slice(r0, r1);
  let known: Uint8Array | null = null;
  if (knownOutcomes?.size) {
    known = new Uint8Array(m);
    for (let r = 0; r < m; r++) {
      const s = knownOutcomes.get(chunk.ids[r0 + r]!);
      if (s === undefined) continue;
      known[r] = 1;
      scores[r] = s;
    }
  }
  for (let r = 0; r < m; r++) if (!Number.isFinite(scores[r]!)) scores[r] = NaN;
  let reasons: TextSlice['top'] = null;
  if (top) {
    const features = top.features.slice(r0 * top.k, r1 * top.k);
    const values = new Float64Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i]!;
      if (f >= 0) values[i] = chunk.columns[f]![r0 + Math.floor(i / top.k)]!;
    }
    reasons = { k: top.k, features, contributions: top.contributions.slice(r0 * top.k, r1 * top.k), values };
  }
  return {
    seq0: seq0 + r0,
    ids: chunk.ids.slice(r0, r1),
    scores,
    known,
    top: reasons,
    value: chunk.value ? chunk.value.map((c) => c.slice(r0, r1)) : null,
    valueColumns: VALUE_COLUMNS.length,
  };
}

/** The reasons' reference distribution is the first page read (later observe calls are ignored). */
async function* observed(
  pages: AsyncGenerator<FeatureChunk>,
  explain?: ReasonWriter,
): AsyncGenerator<FeatureChunk> {
  for await (const page of pages) {
    explain?.observe(page.columns);
    yield page;
  }
}

/**
 * The spool in pieces of whole lines (~1 MiB, as bytes: no decoding, no string per line), as
 * LOAD DATA and its prepared-insert fallback both take it. With `insert`, line i gets
 * insert(i) put in before its second tab (right after the score). With `from` and `to` (places
 * from SpooledScores.starts), only the lines from `from` up to `to`.
 */
export async function* spoolPieces(
  file: string,
  insert?: (line: number) => Buffer,
  from: SpoolPlace = { line: 0, byte: 0 },
  to?: SpoolPlace,
): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  let line = from.line;
  const ends: number[] = [];
  const put = (whole: Buffer): Buffer => {
    if (!insert) return whole;
    // First pass: where each line's second tab is, and how long the result is.
    ends.length = 0;
    let size = whole.length;
    const parts: Buffer[] = [];
    for (let a = 0; a < whole.length;) {
      const b = whole.indexOf(10, a);
      const tab = whole.indexOf(9, whole.indexOf(9, a) + 1);
      const part = insert(line++);
      ends.push(tab >= 0 && tab < b ? tab : b);
      parts.push(part);
      size += part.length;
      a = b + 1;
    }
    const out = Buffer.allocUnsafe(size);
    let from = 0;
    let to = 0;
    for (let i = 0; i < ends.length; i++) {
      to += whole.copy(out, to, from, ends[i]);
      to += parts[i]!.copy(out, to);
      from = ends[i]!;
    }
    whole.copy(out, to, from);
    return out;
  };
  const range = { start: from.byte, ...(to ? { end: to.byte - 1 } : {}) };
  if (to && to.byte <= from.byte) return;
  for await (const piece of createReadStream(file, { highWaterMark: 1 << 20, ...range })) {
    const data: Buffer = rest.length ? Buffer.concat([rest, piece as Buffer]) : (piece as Buffer);
    const end = data.lastIndexOf(10);
    if (end < 0) {
      rest = data;
      continue;
    }
    rest = data.subarray(end + 1);
    yield put(data.subarray(0, end + 1));
  }
  if (rest.length) yield put(Buffer.concat([rest, Buffer.from('\n')]));
}

/**
 * The spool cut for the score history, in pieces of whole lines: `score` + ranks(i) + `\t id \t
 * value figures`, the seq, reasons and known fields left out; a line whose ranks(i) is null is
 * left out whole (no score).
 */
export async function* historyPieces(
  file: string,
  ranks: (line: number) => Buffer | null,
): AsyncGenerator<Buffer> {
  let line = 0;
  for await (const whole of spoolPieces(file)) {
    const parts: Buffer[] = [];
    for (let a = 0; a < whole.length;) {
      const b = whole.indexOf(10, a);
      const inserted = ranks(line++);
      if (inserted) {
        // seq \t score \t reasons \t known \t id ...: the reasons are TSV-escaped, so tabs only separate fields.
        const t1 = whole.indexOf(9, a);
        const t2 = whole.indexOf(9, t1 + 1);
        const t4 = whole.indexOf(9, whole.indexOf(9, t2 + 1) + 1);
        parts.push(whole.subarray(t1 + 1, t2), inserted, whole.subarray(t4, b + 1));
      }
      a = b + 1;
    }
    if (parts.length) yield Buffer.concat(parts);
    await setImmediate();
  }
}
