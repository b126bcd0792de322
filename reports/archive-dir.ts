import path from 'node:path';
import type { Config } from '../config/env.ts';

/**
 * Where a night's report archive lives: `<REPORT_DIR>/<pipeline>/<business date>/`, absolute so
 * `cpd status` prints a path that opens from any folder. Pipeline names are lower-case ids and
 * dates YYYY-MM-DD, so neither can leave REPORT_DIR.
 */
export function reportArchiveDir(
  config: Pick<Config, 'REPORT_DIR'>,
  pipeline: string,
  businessDate: string,
): string {
  return path.resolve(
    config.REPORT_DIR,
    pipeline.replace(/[^a-z0-9-]/g, '_'),
    businessDate.replace(/[^0-9-]/g, '_'),
  );
}
