import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { type PublishPhase, scorePublishState } from '../../db/schema/index.ts';

export interface PublishKey {
  pipeline: string;
  runKey: string;
  /** A rerun (new generation) publishes afresh; retries of one generation share its state. */
  generation: number;
}

export interface PublishState {
  phase: PublishPhase;
  outcome: Record<string, unknown> | null;
}

/** Records that the publish of this run generation has reached `phase` (and what it decided so far). */
export async function recordPublishPhase(
  db: Db,
  key: PublishKey,
  phase: PublishPhase,
  outcome?: Record<string, unknown>,
): Promise<void> {
  await db
    .insert(scorePublishState)
    .values({ ...key, phase, outcome: outcome ?? null })
    .onDuplicateKeyUpdate({
      set: {
        phase,
        ...(outcome ? { outcome } : {}),
        updatedAt: sql`CURRENT_TIMESTAMP(3)`,
      },
    });
}

export async function readPublishState(db: Db, key: PublishKey): Promise<PublishState | undefined> {
  const [row] = await db
    .select({ phase: scorePublishState.phase, outcome: scorePublishState.outcome })
    .from(scorePublishState)
    .where(and(eq(scorePublishState.runKey, key.runKey), eq(scorePublishState.generation, key.generation)));
  return row
    ? { phase: row.phase, outcome: (row.outcome as Record<string, unknown> | null) ?? null }
    : undefined;
}
