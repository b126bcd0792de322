import { formatNumber as f } from './number-format.ts';
import type { RunReportData } from './report-data.ts';
import type { ReportSection } from './report-document.ts';

/** Reasons per customer: three is what fits in a table cell and still explains the score. */
const REASONS_SHOWN = 3;
const TOP_SHOWN = 20;

/** The customers most likely to buy, with the features behind each score. */
export function customersSection(data: RunReportData): ReportSection | undefined {
  const top = data.topCustomers;
  const known = data.knownOutcomes;
  const knownNote = known
    ? `${known.rows} scored rows have a known outcome: their scores are out-of-fold (known_outcome = 1 in the table) and they are left out of this list and the CSV.`
    : undefined;
  if ((!top || top.length === 0) && known && known.unknownRows === 0) {
    return {
      id: 'top-customers',
      title: 'Customers to target tonight',
      blocks: [
        {
          kind: 'paragraph',
          text: `None: every one of the ${known.rows} scored rows already has a known outcome, so there is nobody left to target. Add rows without a label to score them.`,
        },
      ],
    };
  }
  if (!top || top.length === 0) return undefined;
  const rows = [...top]
    .sort((a, b) => b.score - a.score)
    .slice(0, TOP_SHOWN)
    .map((c, i) => [
      String(i + 1),
      c.customerId,
      f.fixed(c.score),
      String(c.decile),
      c.segment ?? '-',
      [...c.reasons]
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
        .slice(0, REASONS_SHOWN)
        // The sentence when the scores carry one; the signed contribution says whether it pushed up or down.
        .map((r) =>
          r.sentence
            ? `${r.sentence} (${f.signed(r.contribution, 2)})`
            : `${r.feature} ${f.signed(r.contribution, 2)}`,
        )
        .join('; '),
    ]);
  return {
    id: 'top-customers',
    title: `Top ${rows.length} customers tonight`,
    blocks: [
      {
        kind: 'table',
        columns: [
          { header: '#', align: 'right' },
          { header: 'Customer' },
          { header: 'Score', align: 'right' },
          { header: 'Decile', align: 'right' },
          { header: 'Segment' },
          { header: 'Main reasons (contribution to score)' },
        ],
        rows,
      },
      {
        kind: 'paragraph',
        muted: true,
        text: 'The mail attaches the whole target list (top and next segments); the table customer_scores holds everyone.',
      },
      ...(knownNote ? [{ kind: 'paragraph' as const, muted: true, text: knownNote }] : []),
    ],
  };
}
