import type { LabeledPipeline } from '../../config/pipeline.ts';

export type ColumnRole = 'id' | 'label' | 'numeric' | 'boolean' | 'categorical' | 'excluded';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'f']);

/** A finite number in plain or exponent form (`7.5E-05`); thousands separators are not numbers. */
export function parseNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function parseBoolean(cell: string): boolean | undefined {
  const s = cell.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}

/**
 * The role of every column: declared in the pipeline file, else inferred from a sample
 * (numeric when at least 95% of its non-null cells are numbers, else categorical).
 */
export function columnRoles(
  pipeline: LabeledPipeline,
  header: string[],
  sample: string[][],
): Map<string, ColumnRole> {
  const c = pipeline.columns;
  const nulls = new Set(
    pipeline.sources[0]?.kind === 'sql' ? [''] : (pipeline.sources[0]?.parse.nullTokens ?? ['']),
  );
  const roles = new Map<string, ColumnRole>();
  header.forEach((name, i) => {
    if (name === c.id) roles.set(name, 'id');
    else if (name === c.label.column) roles.set(name, 'label');
    else if (c.exclude.includes(name)) roles.set(name, 'excluded');
    else if (c.categorical.includes(name)) roles.set(name, 'categorical');
    else if (c.boolean.includes(name)) roles.set(name, 'boolean');
    else {
      let seen = 0;
      let numeric = 0;
      for (const row of sample) {
        const cell = row[i];
        if (cell === undefined || nulls.has(cell.trim())) continue;
        seen++;
        if (parseNumber(cell) !== undefined) numeric++;
      }
      roles.set(name, seen === 0 || numeric / seen >= 0.95 ? 'numeric' : 'categorical');
    }
  });
  return roles;
}
