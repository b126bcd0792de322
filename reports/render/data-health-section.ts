import { formatNumber as f } from './number-format.ts';
import type { DataHealth, RunReportData } from './report-data.ts';
import type { Block, Cell, ReportSection, Tone } from './report-document.ts';

const checkTone: Record<'pass' | 'warn' | 'fail' | 'skipped', Tone> = {
  pass: 'ok',
  warn: 'warn',
  fail: 'fail',
  skipped: 'info',
};
const driftTone: Record<'stable' | 'moderate' | 'major', Tone> = {
  stable: 'ok',
  moderate: 'warn',
  major: 'fail',
};

/** Did tonight's data look like every other night's? Volumes, rejects, checks and drift. */
export function dataHealthSection(data: RunReportData): ReportSection | undefined {
  const health = data.dataHealth;
  if (!health) return undefined;
  const blocks: Block[] = [];
  if (health.warnings && health.warnings.length > 0)
    blocks.push({ kind: 'callout', tone: 'warn', title: 'Warnings', lines: health.warnings });
  if (health.sources && health.sources.length > 0) blocks.push(sourcesTable(health.sources));
  if (health.rejectsByReason && health.rejectsByReason.length > 0) {
    blocks.push({
      kind: 'table',
      caption: 'Rejected rows by reason',
      columns: [{ header: 'Reason' }, { header: 'Rows', align: 'right' }],
      rows: [...health.rejectsByReason]
        .sort((a, b) => b.count - a.count)
        .map((r) => [r.reason, f.int(r.count)]),
    });
  }
  if (health.qualityChecks && health.qualityChecks.length > 0) {
    // Failures first: they are why someone opens this section.
    const order = { fail: 0, warn: 1, skipped: 2, pass: 3 };
    blocks.push({
      kind: 'table',
      caption: 'Data quality checks',
      columns: [{ header: 'Check' }, { header: 'Severity' }, { header: 'Result' }, { header: 'Detail' }],
      rows: [...health.qualityChecks]
        .sort((a, b) => order[a.status] - order[b.status])
        .map((c): Cell[] => [
          c.check,
          c.severity,
          { text: c.status.toUpperCase(), tone: checkTone[c.status] },
          c.detail,
        ]),
    });
  }
  if (health.drift && health.drift.length > 0) {
    blocks.push({
      kind: 'table',
      caption:
        'Feature drift against the training data (PSI: under 0.1 stable, 0.1-0.25 moderate, over 0.25 major)',
      columns: [{ header: 'Feature' }, { header: 'PSI', align: 'right' }, { header: 'Band' }],
      rows: [...health.drift]
        .sort((a, b) => b.psi - a.psi)
        .map((d): Cell[] => [
          d.feature,
          f.fixed(d.psi),
          d.structural
            ? { text: `${d.band} (expected: grows every night)`, tone: 'info' }
            : { text: d.band, tone: driftTone[d.band] },
        ]),
    });
  }
  return blocks.length > 0 ? { id: 'data-health', title: 'Data health', blocks } : undefined;
}

function sourcesTable(sources: NonNullable<DataHealth['sources']>): Block {
  return {
    kind: 'table',
    caption: 'Rows loaded per source',
    columns: [
      { header: 'Source' },
      { header: 'Rows tonight', align: 'right' },
      { header: '7-day average', align: 'right' },
      { header: 'Change', align: 'right' },
      { header: 'Rejected', align: 'right' },
    ],
    rows: sources.map((s): Cell[] => {
      if (s.skipped)
        return [
          s.source,
          { text: 'unchanged (file skipped)', tone: 'info' },
          f.int(Math.round(s.avg7)),
          '–',
          f.int(s.rejected),
        ];
      const change = s.avg7 > 0 ? s.rows / s.avg7 - 1 : 0;
      // A swing of a fifth against the weekly average is where volumes stop being noise.
      const tone: Tone = Math.abs(change) > 0.2 ? 'warn' : 'ok';
      const sign = change > 0 ? '+' : '';
      return [
        s.source,
        f.int(s.rows),
        f.int(Math.round(s.avg7)),
        { text: `${sign}${f.pct(change)}`, tone },
        f.int(s.rejected),
      ];
    }),
  };
}
