import type { RunReportData } from './report-data.ts';
import type { Block, ReportSection } from './report-document.ts';

const g = (v: number, digits = 3) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(digits));
const money = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 0 });

/**
 * Customer value: the BG/NBD and Gamma-Gamma parameters of each snapshot (time unit stated), and
 * on the validation window the expected against the actual orders per customer (MAE), the
 * tracking of cumulative repeat transactions by week and the revenue by decile of prediction.
 */
export function valueSection(data: RunReportData): ReportSection | undefined {
  const v = data.customerValue;
  if (!v) return undefined;
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: `BG/NBD (purchase days; α in ${v.unit}s) and Gamma-Gamma (spend per order), fitted at each cutoff on the history before it. Horizon ${v.horizonDays} days. P(alive) and expected orders ${v.classifierFeatures ? 'are' : 'are not'} features of tonight's classifier.`,
    },
    {
      kind: 'table',
      caption: 'Fitted parameters',
      columns: [
        { header: 'Snapshot' },
        { header: 'Customers', align: 'right' },
        { header: 'r', align: 'right' },
        { header: 'α', align: 'right' },
        { header: 'a', align: 'right' },
        { header: 'b', align: 'right' },
        { header: 'log-lik', align: 'right' },
        { header: 'p', align: 'right' },
        { header: 'q', align: 'right' },
        { header: 'γ', align: 'right' },
        { header: 'corr(x, m)', align: 'right' },
      ],
      rows: v.snapshots.map((s) => [
        `${s.role} ${s.cutoff}`,
        String(s.customers),
        ...(s.bgNbd
          ? [g(s.bgNbd.r), g(s.bgNbd.alpha), g(s.bgNbd.a), g(s.bgNbd.b), s.bgNbd.logLik.toFixed(1)]
          : ['–', '–', '–', '–', '–']),
        ...(s.gammaGamma
          ? [
              g(s.gammaGamma.p),
              g(s.gammaGamma.q),
              g(s.gammaGamma.gamma),
              s.gammaGamma.frequencySpendCorrelation.toFixed(2),
            ]
          : ['–', '–', '–', '–']),
      ]),
    },
  ];
  const ev = v.snapshots.find((s) => s.evaluation)?.evaluation;
  if (ev) {
    blocks.push({
      kind: 'facts',
      items: [
        ['Orders per customer, mean absolute error', ev.ordersMae.toFixed(3)],
        [
          'Orders in the window, expected / actual',
          `${ev.predictedOrders.toFixed(0)} / ${ev.actualOrders.toFixed(0)}`,
        ],
      ],
    });
    blocks.push({
      kind: 'table',
      caption: 'Cumulative repeat transactions in the validation window, by week',
      columns: [
        { header: 'Week' },
        { header: 'Expected', align: 'right' },
        { header: 'Actual', align: 'right' },
      ],
      rows: ev.tracking.map((t) => [String(t.week), t.predicted.toFixed(0), t.actual.toFixed(0)]),
    });
    if (ev.revenueDeciles)
      blocks.push({
        kind: 'table',
        caption: 'Revenue in the validation window by decile of expected revenue (1 = highest)',
        columns: [
          { header: 'Decile' },
          { header: 'Customers', align: 'right' },
          { header: 'Expected', align: 'right' },
          { header: 'Actual', align: 'right' },
        ],
        rows: ev.revenueDeciles.map((d) => [
          String(d.decile),
          String(d.customers),
          money(d.predicted),
          money(d.actual),
        ]),
      });
  }
  return { id: 'customer-value', title: 'Customer value', blocks };
}
