import type { LabeledPipeline } from '../../../config/pipeline.ts';
import { ROW_ID_LENGTH } from '../../../db/schema/index.ts';
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
      // The id column is bounded by default to what clean_rows.row_id stores: a longer id is a
      // rejected row naming file, line and column at load, not a database error four steps later.
      const target: Target =
        name === pipeline.columns.id ? { kind: 'string', maxLength: ROW_ID_LENGTH } : { kind: 'text' };
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
