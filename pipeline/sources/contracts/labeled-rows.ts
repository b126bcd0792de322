import type { LabeledPipeline } from '../../../config/pipeline.ts';
import { type Target, targetCheck } from './column-check.ts';
import type { RowLayout } from './row-plan.ts';

/** Labeled mode's staging columns: the line number and the row's cells as one JSON array (raw_rows.cells). */
const RAW_ROW_COLUMNS = ['line', 'cells'] as const;

/**
 * Labeled mode: every source column is checked as text against the contract and the row is staged
 * whole, cells as read; typing waits for clean, which knows each column's role. The label column
 * must be in the header.
 */
export function labeledRows(pipeline: LabeledPipeline): RowLayout {
  return ({ header, contract, need, ruleFor }) => {
    const planned = header.map((name, index) => {
      const target: Target = { kind: 'text' };
      return {
        index,
        name,
        required: contract.columns[name]?.required === true,
        check: targetCheck(target),
        rule: ruleFor(name),
        text: true,
        target,
        staging: '',
      };
    });
    if (pipeline.columns.label.column) need(pipeline.columns.label.column);
    return { planned, columns: RAW_ROW_COLUMNS, json: true, fast: undefined, checkRow: undefined };
  };
}
