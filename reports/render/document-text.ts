import type { Block, ReportDocument, TableBlock } from './report-document.ts';
import { cellText } from './report-document.ts';
import { stripControl } from './strip-control.ts';

/**
 * Print the document as plain text for mail clients that show no HTML (and for grep):
 * underlined headings, aligned tables, charts replaced by their description and data.
 */
const WIDTH = 78;
/** Longer cells (untrusted ids, long reasons) are cut so one row cannot wreck the alignment. */
const MAX_CELL = 60;

export function documentToText(doc: ReportDocument): string {
  const out: string[] = [];
  doc.sections.forEach((s, i) => {
    if (i > 0) out.push('', s.title.toUpperCase(), '='.repeat(Math.min(WIDTH, s.title.length)), '');
    for (const b of s.blocks) out.push(...block(b), '');
  });
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

/** Customer-supplied strings may carry newlines or terminal escapes; neither belongs in a cell. */
const clean = stripControl;

function block(b: Block): string[] {
  switch (b.kind) {
    case 'callout':
      return [`*** ${clean(b.title)} ***`, ...b.lines.map((l) => clean(l))];
    case 'stats':
      return facts(b.items.map((s) => [s.label, s.note ? `${s.value} (${s.note})` : s.value]));
    case 'facts':
      return facts(b.items.map(([label, value]) => [label, cellText(value)]));
    case 'paragraph':
      return wrap(clean(b.text));
    case 'list':
      return b.items.map((i) => `- ${clean(i)}`);
    case 'table':
      return table(b);
    case 'chart':
      return [`[Chart: ${clean(b.chart.alt)}]`, ...(b.fallback ? ['', ...table(b.fallback)] : [])];
    case 'code':
      return b.text.split('\n').map((l) => `    ${l}`);
  }
}

function facts(items: [string, string][]): string[] {
  const width = Math.max(0, ...items.map(([label]) => label.length)) + 1;
  return items.map(([label, value]) => `${`${clean(label)}:`.padEnd(width + 1)} ${clean(value)}`);
}

function fit(value: string): string {
  const text = clean(value);
  return [...text].length > MAX_CELL ? `${[...text].slice(0, MAX_CELL - 1).join('')}…` : text;
}

function table(t: TableBlock): string[] {
  const header = t.columns.map((c) => fit(c.header));
  const rows = t.rows.map((row) => t.columns.map((_, i) => fit(cellText(row[i] ?? ''))));
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = (widths[i] ?? 0) - [...c].length;
        return t.columns[i]?.align === 'right' ? ' '.repeat(pad) + c : c + ' '.repeat(pad);
      })
      .join('  ')
      .trimEnd();
  return [
    ...(t.caption ? [clean(t.caption)] : []),
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ];
}

function wrap(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + word.length + 1 > WIDTH) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines;
}
