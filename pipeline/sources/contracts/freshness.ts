import type { Source } from '../../../config/pipeline.ts';
import type { sourceFiles } from '../../../db/schema/index.ts';
import { PermanentError } from '../../errors.ts';

/** A stale export (older than the business date by more than the contract allows) blocks the load. */
export function checkFreshness(
  file: typeof sourceFiles.$inferSelect,
  source: Source,
  businessDate: string,
): void {
  const maxAge = source.contract.maxAgeDays;
  if (maxAge === undefined || !file.modifiedAt) return;
  const oldest = Date.parse(`${businessDate}T00:00:00Z`) - maxAge * 86_400_000;
  if (file.modifiedAt.getTime() < oldest) {
    throw new PermanentError(
      `${file.path}: last modified ${file.modifiedAt.toISOString()}, more than ${maxAge} days before the business date ${businessDate} (a stale export?)`,
      { source: file.path },
    );
  }
}
