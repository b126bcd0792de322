import { and, eq } from 'drizzle-orm';
import type { StepName } from '../../config/steps.ts';
import type { Db } from '../../db/client.ts';
import { stepRuns } from '../../db/schema/index.ts';
import { waitFor } from './test-env.ts';

/** Waits until an attempt of `step` of the run is recorded as running, so a fault lands mid-step; returns that attempt. */
export async function waitForRunningStep(
  db: Db,
  runKey: string,
  step: StepName,
  timeoutMs: number,
  intervalMs = 50,
): Promise<typeof stepRuns.$inferSelect> {
  return waitFor(
    `${step} running`,
    async () =>
      (
        await db
          .select()
          .from(stepRuns)
          .where(and(eq(stepRuns.runKey, runKey), eq(stepRuns.step, step), eq(stepRuns.status, 'running')))
      )[0],
    timeoutMs,
    intervalMs,
  );
}
