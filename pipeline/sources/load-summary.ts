import type { StepResult } from '../context.ts';
import type { StagedInput } from './publish-staged.ts';

/** The load step's figures: loaded + rejected = read for every input, reasons and warnings summed over them. */
export function loadSummary(
  inputs: StagedInput[],
  skipped: string[],
  notes: string[],
  timings: { stageMs: number; publishMs: number },
): StepResult {
  const sum = (f: (s: StagedInput['staged']) => number) => inputs.reduce((n, i) => n + f(i.staged), 0);
  const merge = (pick: (s: StagedInput['staged']) => Map<string, number>) => {
    const out: Record<string, number> = {};
    for (const i of inputs) for (const [k, v] of pick(i.staged)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    rowsIn: sum((s) => s.read),
    rowsOut: sum((s) => s.loaded),
    rowsRejected: sum((s) => s.rejected),
    details: {
      files: inputs.map(({ file, ledger, staged }) => ({
        source: file.source,
        path: file.path,
        action: ledger ? 'replaced' : 'loaded',
        read: staged.read,
        loaded: staged.loaded,
        rejected: staged.rejected,
        blankLines: staged.blankLines,
      })),
      skipped,
      ...timings,
      rejectsByReason: merge((s) => s.rejectsByReason),
      warnings: [...notes, ...Object.entries(merge((s) => s.warnings)).map(([k, n]) => `${k} (${n} rows)`)],
    },
  };
}
