/**
 * node --import tsx bench/load-online-retail.ts [--csv FILE]
 * Measures the Online Retail load (config/pipelines/online-retail.json; its in-repository slice,
 * or with --csv the full 541,909-line file downloaded from UCI, see data/README.md) through
 * cpd's own collect and load handlers on a fresh database, then loads it again (same sha256:
 * skipped). Prints load time, rows loaded and rejects by reason.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPipelineFile } from '../config/pipeline.ts';
import { collectAndLoad } from '../test/helpers/load-steps.ts';
import { repoRoot } from '../test/helpers/processes.ts';
import { createTestEnv } from '../test/helpers/test-env.ts';

const file = path.join(repoRoot, 'config', 'pipelines', 'online-retail.json');
// Loaded as `cpd run` loads it: source paths and data roots resolved against the file's folder.
const raw = loadPipelineFile(file);
const { values } = parseArgs({ options: { csv: { type: 'string' } } });
// The full file from UCI lives outside the repository's data root: allow its folder explicitly.
if (values.csv) {
  const csv = path.resolve(values.csv);
  for (const s of raw.sources) if (s.kind === 'file') s.path = csv;
  raw.dataRoots = [...(raw.dataRoots ?? []), path.dirname(csv)];
}

const t = await createTestEnv('retail', { LOG_LEVEL: 'warn' });
try {
  const started = performance.now();
  const first = await collectAndLoad(t.database, t.config, raw, '2011-12-10');
  const seconds = (performance.now() - started) / 1000;
  const [count] = await t.database.pool.query(
    "SELECT COUNT(*) AS n, COUNT(customer_id) AS c, SUM(amount) AS s FROM raw_transactions WHERE pipeline = 'online-retail'",
  );
  console.log(
    JSON.stringify(
      {
        seconds: +seconds.toFixed(2),
        collect: first.collect.rowsOut,
        load: first.load,
        table: (count as unknown[])[0],
      },
      null,
      1,
    ),
  );
  const again = performance.now();
  const second = await collectAndLoad(t.database, t.config, raw, '2011-12-10');
  console.log(
    `rerun of the same date: ${((performance.now() - again) / 1000).toFixed(2)} s, rowsIn=${second.load.rowsIn}, skipped=${JSON.stringify(second.load.details?.skipped)}`,
  );
  console.log(
    `bench online-retail: seconds=${seconds.toFixed(2)} read=${first.load.rowsIn} loaded=${first.load.rowsOut} rejected=${first.load.rowsRejected} rows_per_s=${Math.round((first.load.rowsIn ?? 0) / seconds)}`,
  );
} finally {
  await t.cleanup();
}
