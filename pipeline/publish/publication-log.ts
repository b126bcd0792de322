import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { type PublicationAction, scorePublications } from '../../db/schema/index.ts';

export interface PublicationEntry {
  pipeline: string;
  action: PublicationAction;
  runKey: string | null;
  replacedRunKey: string | null;
  rows?: number | null;
  gates?: unknown;
  scoreQuantiles?: number[] | null;
  actor: string;
}

export async function logPublication(db: Db, e: PublicationEntry): Promise<void> {
  await db
    .insert(scorePublications)
    .values({ ...e, rows: e.rows ?? null, gates: e.gates ?? null, scoreQuantiles: e.scoreQuantiles ?? null });
}

/** The score quantiles recorded when a run was published: tomorrow's PSI reference. */
export async function publishedQuantiles(db: Db, pipeline: string, runKey: string): Promise<number[] | null> {
  const [row] = await db
    .select({ q: scorePublications.scoreQuantiles })
    .from(scorePublications)
    .where(
      and(
        eq(scorePublications.pipeline, pipeline),
        eq(scorePublications.runKey, runKey),
        eq(scorePublications.action, 'publish'),
        isNotNull(scorePublications.scoreQuantiles),
      ),
    )
    .orderBy(desc(scorePublications.id))
    .limit(1);
  return row?.q ?? null;
}
