import type { ChartImage } from '../charts/chart-image.ts';
import type { RunStatus } from './report-data.ts';

/**
 * The report as format-neutral blocks. Sections are built once from the run data and then
 * printed twice, as HTML and as plain text, so the two parts of the email cannot disagree.
 * Every string here is raw (unescaped) text; only the HTML printer escapes, in one place.
 */
export type Tone = 'ok' | 'warn' | 'fail' | 'info';

export type Cell = string | { text: string; tone: Tone };

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export interface TableBlock {
  kind: 'table';
  caption?: string;
  columns: Column[];
  rows: Cell[][];
}

export type Block =
  | { kind: 'callout'; tone: Tone; title: string; lines: string[] }
  /** `note`: the change beside the figure, e.g. "+12 vs last night". */
  | { kind: 'stats'; items: { label: string; value: string; note?: string }[] }
  | { kind: 'facts'; items: [label: string, value: Cell][] }
  | { kind: 'paragraph'; text: string; muted?: boolean }
  | { kind: 'list'; items: string[] }
  | TableBlock
  /** `fallback` is what the plain-text part prints in place of the picture. */
  | { kind: 'chart'; chart: ChartImage; fallback?: TableBlock }
  | { kind: 'code'; text: string };

export interface ReportSection {
  id: string;
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  status: RunStatus;
  sections: ReportSection[];
}

export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}
