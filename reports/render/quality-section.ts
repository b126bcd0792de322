import { formatNumber as f } from './number-format.ts';
import type { ReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { Block, ReportSection, TableBlock } from './report-document.ts';

/** Model quality: headline metrics with what they mean, then the curves, lift and calibration. */
export function qualitySection(data: RunReportData, charts: ReportCharts): ReportSection | undefined {
  const m = data.metrics;
  if (!m) return undefined;
  const rows: [string, string, string][] = [
    ['ROC-AUC', f.fixed(m.rocAuc), 'Ranking quality: 0.5 is random, 1.0 perfect'],
    [
      'PR-AUC',
      f.fixed(m.prAuc),
      `Precision over all recall levels; random = base rate${data.baseRate === undefined ? '' : ` (${f.pct(data.baseRate)})`}`,
    ],
    ['Precision', f.pct(m.precision), 'Of customers flagged, share who bought'],
    ['Recall', f.pct(m.recall), 'Of buyers, share the model flagged'],
    ['F1', f.fixed(m.f1), 'Balance of precision and recall'],
    [
      'Accuracy',
      f.pct(m.accuracy),
      // Only a rare outcome flatters accuracy; at a 48 % base rate the caveat would be wrong.
      data.baseRate !== undefined && data.baseRate < 0.25
        ? `Correct yes/no calls; flattered by the many non-buyers (base rate ${f.pct(data.baseRate)})`
        : 'Correct yes/no calls',
    ],
    ['Threshold', f.fixed(m.threshold, 2), 'Score above which a customer is flagged'],
    ['Log loss', f.fixed(m.logLoss), 'Penalty for confident wrong scores; lower is better'],
    ['Brier score', f.fixed(m.brier), 'Mean squared error of the scores; lower is better'],
  ];
  if (m.topDecileCapture !== undefined)
    rows.push([
      'Top-decile capture',
      f.pct(m.topDecileCapture),
      'Share of all buyers among the top 10% of scores',
    ]);
  if (m.evaluatedRows !== undefined)
    rows.push(['Evaluated rows', f.int(m.evaluatedRows), 'Held-out customers the metrics are computed on']);

  const blocks: Block[] = [
    {
      kind: 'table',
      columns: [{ header: 'Metric' }, { header: 'Value', align: 'right' }, { header: 'What it means' }],
      rows,
    },
  ];
  if (charts.roc) blocks.push({ kind: 'chart', chart: charts.roc });
  if (charts.pr) blocks.push({ kind: 'chart', chart: charts.pr });
  const c = m.confusion;
  const confusionTable: TableBlock = {
    kind: 'table',
    columns: [
      { header: 'Actual' },
      { header: 'Predicted purchase', align: 'right' },
      { header: 'Predicted no purchase', align: 'right' },
    ],
    rows: [
      ['Purchased', f.int(c.tp), f.int(c.fn)],
      ['Did not purchase', f.int(c.fp), f.int(c.tn)],
    ],
  };
  blocks.push(
    charts.confusion ? { kind: 'chart', chart: charts.confusion, fallback: confusionTable } : confusionTable,
  );
  if (m.lift && m.lift.length > 0) {
    if (charts.lift) blocks.push({ kind: 'chart', chart: charts.lift });
    blocks.push({
      kind: 'table',
      caption: 'Lift and gains by score decile (1 = highest scores)',
      columns: ['Decile', 'Customers', 'Buyers', 'Purchase rate', 'Lift', 'Cumulative gain'].map(
        (header) => ({ header, align: 'right' as const }),
      ),
      rows: [...m.lift]
        .sort((a, b) => a.decile - b.decile)
        .map((d) => [
          String(d.decile),
          f.int(d.rows),
          f.int(d.positives),
          f.pct(d.rate),
          `${f.fixed(d.lift, 2)}x`,
          f.pct(d.cumulativeGain),
        ]),
    });
  }
  if (m.calibration && m.calibration.length > 0) {
    blocks.push({
      kind: 'table',
      caption: 'Calibration: does a score of 0.3 mean a 30% chance?',
      columns: [
        { header: 'Score bin' },
        { header: 'Customers', align: 'right' },
        { header: 'Mean score', align: 'right' },
        { header: 'Observed rate', align: 'right' },
        { header: 'Gap', align: 'right' },
      ],
      rows: m.calibration.map((r) => [
        r.bin,
        f.int(r.rows),
        f.pct(r.meanPredicted),
        f.pct(r.observedRate),
        f.signed((r.observedRate - r.meanPredicted) * 100, 1) + ' pt',
      ]),
    });
  }
  if (m.featureImportance && m.featureImportance.length > 0) {
    const top: TableBlock = {
      kind: 'table',
      columns: [{ header: 'Feature' }, { header: 'Importance', align: 'right' }],
      rows: [...m.featureImportance]
        .sort((a, b) => b.importance - a.importance)
        .slice(0, 15)
        .map((r) => [r.feature, f.fixed(r.importance)]),
    };
    blocks.push(charts.importance ? { kind: 'chart', chart: charts.importance, fallback: top } : top);
  }
  return { id: 'quality', title: 'Model quality', blocks };
}
