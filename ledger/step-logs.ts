import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { stepLogs } from '../db/schema/index.ts';

export interface AttemptKey {
  runKey: string;
  step: string;
  generation: number;
  attempt: number;
}

export interface LogLine {
  seq: number;
  at: Date;
  level: number;
  msg: string;
  line: string;
}

/** Appends captured lines of one attempt (already bounded and redacted by the runner). */
export async function appendStepLogs(db: Db, key: AttemptKey, lines: readonly LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.insert(stepLogs).values(lines.map((l) => ({ ...key, ...l })));
}

export interface StoredLogLine extends LogLine {
  step: string;
  generation: number;
  attempt: number;
}

/**
 * The stored lines of a run, in order: one step or all, one generation or the latest that has
 * lines, one attempt or all of that generation.
 */
export async function readStepLogs(
  db: Db,
  runKey: string,
  filter: { step?: string; generation?: number; attempt?: number } = {},
): Promise<StoredLogLine[]> {
  let generation = filter.generation;
  if (generation === undefined) {
    const [latest] = await db
      .select({ generation: stepLogs.generation })
      .from(stepLogs)
      .where(eq(stepLogs.runKey, runKey))
      .orderBy(desc(stepLogs.generation))
      .limit(1);
    if (!latest) return [];
    generation = latest.generation;
  }
  const conditions = [eq(stepLogs.runKey, runKey), eq(stepLogs.generation, generation)];
  if (filter.step) conditions.push(eq(stepLogs.step, filter.step));
  if (filter.attempt !== undefined) conditions.push(eq(stepLogs.attempt, filter.attempt));
  return db
    .select({
      step: stepLogs.step,
      generation: stepLogs.generation,
      attempt: stepLogs.attempt,
      seq: stepLogs.seq,
      at: stepLogs.at,
      level: stepLogs.level,
      msg: stepLogs.msg,
      line: stepLogs.line,
    })
    .from(stepLogs)
    .where(and(...conditions))
    .orderBy(asc(stepLogs.id));
}
