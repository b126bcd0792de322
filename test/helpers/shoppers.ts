import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './processes.ts';

export const shoppersCsv = path.join(repoRoot, 'data', 'online_shoppers_intention.csv');
export const shoppersPipeline = path.join(repoRoot, 'config', 'pipelines', 'online-shoppers.json');

/**
 * Writes the header and `rows` data rows of the shoppers file (CRLF kept, as in the original),
 * taken evenly across the file so every month is represented, and a pipeline file pointing at it.
 */
export function writeShoppersSlice(
  dir: string,
  rows: number,
  overrides: Record<string, unknown> = {},
  /** Every n-th row gets an empty label: a session whose outcome is unknown, to target (default none). */
  unlabeledEvery: number | null = null,
): { csv: string; pipeline: string } {
  const lines = readFileSync(shoppersCsv, 'utf8').split('\r\n');
  const [header, ...data] = lines;
  const step = data.length / rows;
  const picked = Array.from({ length: rows }, (_, i) => data[Math.floor(i * step)]!).map((r, i) =>
    unlabeledEvery !== null && i % unlabeledEvery === 0 ? r.replace(/,(TRUE|FALSE)$/, ',') : r,
  );
  const csv = path.join(dir, 'shoppers-slice.csv');
  writeFileSync(csv, [header, ...picked].join('\r\n'));
  // The slice's folder is the data root, by absolute path, so a copy of the pipeline file in
  // another folder (a scheduler's pipelines folder) still reads it; the shipped roots do not apply.
  const { dataRoots: _shipped, ...base } = JSON.parse(readFileSync(shoppersPipeline, 'utf8')) as Record<
    string,
    unknown
  >;
  const pipeline = path.join(dir, 'pipeline.json');
  writeFileSync(
    pipeline,
    JSON.stringify(
      {
        ...base,
        name: 'shoppers-test',
        dataRoots: [dir],
        sources: [{ kind: 'file', name: 'sessions', path: csv }],
        recipients: ['stakeholder@example.test'],
        ...overrides,
      },
      null,
      2,
    ),
  );
  return { csv, pipeline };
}
