import { formatNumber as f, localTime } from './number-format.ts';
import type { Brief, BriefNight, RunReportData } from './report-data.ts';
import type { Block, Cell, ReportSection } from './report-document.ts';

/** Reasons per customer in the action list: two read in a glance on a phone. */
const REASONS_SHOWN = 2;

/** ROC-AUC in one word: what "model quality" means to someone who does not read ROC curves. */
export function qualityWord(rocAuc: number): string {
  if (rocAuc >= 0.9) return 'Excellent';
  if (rocAuc >= 0.8) return 'Good';
  if (rocAuc >= 0.7) return 'Fair';
  if (rocAuc >= 0.6) return 'Weak';
  return 'Poor';
}

/** "1,240 customers are likely to buy in the next 90 days; the top 10 % (337) hold 41 % of them." */
export function verdict(b: Brief): string {
  const when = b.horizonDays ? ` in the next ${b.horizonDays} days` : '';
  const top = b.segments[0]!;
  const share =
    b.expectedRevenue !== undefined && b.expectedRevenue > 0
      ? `${f.pct((top.expectedRevenue ?? 0) / b.expectedRevenue, 0)} of expected revenue`
      : `${f.pct(b.expectedBuyers > 0 ? top.expectedBuyers / b.expectedBuyers : 0, 0)} of them`;
  return `${f.int(Math.round(b.expectedBuyers))} of ${f.int(b.population)} customers are likely to buy${when}; the ${top.name.toLowerCase()} (${f.int(top.customers)} customers) hold ${share}.`;
}

function delta(now: number, then: number | undefined, digits = 0): string | undefined {
  if (then === undefined) return undefined;
  const d = now - then;
  const text = digits === 0 ? f.int(Math.round(Math.abs(d))) : Math.abs(d).toFixed(digits);
  return d === 0 || text === f.int(0) || Number(text) === 0 ? 'no change' : `${d > 0 ? '+' : '−'}${text}`;
}

function deltas(now: number, last?: number, week?: number, digits = 0): string | undefined {
  const parts = [
    last === undefined ? undefined : `${delta(now, last, digits)} vs last night`,
    week === undefined ? undefined : `${delta(now, week, digits)} vs 7 nights ago`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

const pick = (n: BriefNight | undefined, k: 'expectedBuyers' | 'topSegment' | 'rocAuc'): number | undefined =>
  n?.[k];

/** The verdict in words and the four tiles, with the change against last night and a week ago. */
export function verdictSection(data: RunReportData): ReportSection {
  const b = data.brief;
  const blocks: Block[] = [];
  const title = `${data.pipeline}, ${data.businessDate}`;
  if (!b && data.headline?.scoresPublished) {
    // Published, but every scored customer's outcome is already known (i13): nobody new to contact.
    blocks.push({
      kind: 'callout',
      tone: 'info',
      title: `No new customers to contact tonight (${data.pipeline}, ${data.businessDate})`,
      lines: [
        `Scores for ${f.int(data.headline.customersScored)} customers are published in customer_scores, but every one of them already has a known outcome.`,
      ],
    });
    const auc = data.metrics?.rocAuc;
    if (auc !== undefined)
      blocks.push({
        kind: 'stats',
        items: [{ label: 'model quality (ROC-AUC)', value: `${qualityWord(auc)} ${f.fixed(auc, 2)}` }],
      });
    return { id: 'verdict', title: 'Tonight', blocks };
  }
  if (!b) {
    blocks.push(noScoresCallout(data));
    return { id: 'verdict', title: 'Tonight', blocks };
  }
  const lines = [`${title}. Scores are ready in ${b.table}.`];
  if (data.status === 'degraded' && data.headline?.publishedReason) lines.push(data.headline.publishedReason);
  blocks.push({
    kind: 'callout',
    tone: data.status === 'succeeded' ? 'ok' : 'warn',
    title: verdict(b),
    lines,
  });
  const items: { label: string; value: string; note?: string }[] = [];
  const add = (label: string, value: string, note: string | undefined): void => {
    items.push(note ? { label, value, note } : { label, value });
  };
  const last = b.deltas === false ? undefined : b.lastNight;
  add(
    'expected buyers',
    f.int(Math.round(b.expectedBuyers)),
    deltas(b.expectedBuyers, pick(last, 'expectedBuyers'), pick(b.weekAgo, 'expectedBuyers')),
  );
  if (b.expectedRevenue !== undefined)
    add('expected revenue', f.int(Math.round(b.expectedRevenue)), undefined);
  const top = b.segments[0]!;
  add(
    `customers in the ${top.name.toLowerCase()}`,
    f.int(top.customers),
    deltas(top.customers, pick(last, 'topSegment'), pick(b.weekAgo, 'topSegment')),
  );
  const auc = data.metrics?.rocAuc;
  if (auc !== undefined)
    add(
      'model quality (ROC-AUC)',
      `${qualityWord(auc)} ${f.fixed(auc, 2)}`,
      deltas(auc, pick(b.lastNight, 'rocAuc'), pick(b.weekAgo, 'rocAuc'), 2),
    );
  blocks.push({ kind: 'stats', items });
  return { id: 'verdict', title: 'Tonight', blocks };
}

/** A night without new scores: what people still have and when the next list comes. */
function noScoresCallout(data: RunReportData): Block {
  const failed = data.status === 'failed';
  return {
    kind: 'callout',
    tone: failed ? 'fail' : 'warn',
    title: failed
      ? `No new customer list tonight (${data.pipeline}, ${data.businessDate})`
      : `Tonight's list was held back (${data.pipeline}, ${data.businessDate})`,
    lines: [
      failed
        ? `Tonight's run stopped before the scores were ready: ${plainCause(data)}.`
        : 'The new scores did not pass the safety checks, so they were not published.',
      data.stillPublished
        ? `You still have the last published list (business date ${data.stillPublished}): it stays in customer_scores, unchanged.`
        : 'There is no earlier list yet: the first one comes with the first successful run.',
      `The operations team has been alerted. The next list comes with the next nightly run${
        data.nextRun ? ` (${localTime(data.nextRun, data.timeZone)})` : ''
      }, or sooner if they restart this one.`,
    ],
  };
}

function plainCause(data: RunReportData): string {
  switch (data.failure?.cause) {
    case 'data contract':
      return /no such file|ENOENT|file .*(not found|missing)|no file/i.test(data.failure.message)
        ? 'an input file was missing'
        : `the input data did not look as expected (${short(data.failure.message)})`;
    case 'infrastructure':
      return 'a server or database was not available';
    case 'model gate':
      return 'the new model was not good enough to use';
    default:
      return 'an unexpected problem';
  }
}

function short(message: string): string {
  const line = message.split('\n')[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Who to contact first: the top N by score, with expected value and the reasons in words. */
export function actionsSection(data: RunReportData): ReportSection | undefined {
  const b = data.brief;
  if (!b || b.actions.length === 0) return undefined;
  const value = b.actions.some((c) => c.expectedValue !== undefined);
  return {
    id: 'actions',
    title: `Contact first: the top ${b.actions.length} customers`,
    blocks: [
      {
        kind: 'table',
        columns: [
          { header: '#', align: 'right' },
          { header: 'Customer' },
          { header: 'Chance', align: 'right' },
          ...(value ? [{ header: 'Expected value', align: 'right' as const }] : []),
          { header: 'Why' },
        ],
        rows: b.actions.map((c, i): Cell[] => [
          String(i + 1),
          c.customerId,
          f.pct(c.score, 0),
          ...(value ? [c.expectedValue === undefined ? '–' : f.int(Math.round(c.expectedValue))] : []),
          c.reasons.slice(0, REASONS_SHOWN).join('; ') || '–',
        ]),
      },
    ],
  };
}

/** Segments by rank: sizes and expected buyers (and revenue). */
export function segmentsSection(data: RunReportData): ReportSection | undefined {
  const b = data.brief;
  if (!b) return undefined;
  const revenue = b.expectedRevenue !== undefined;
  return {
    id: 'segments',
    title: 'Segments by rank',
    blocks: [
      {
        kind: 'table',
        columns: [
          { header: 'Segment' },
          { header: 'Customers', align: 'right' },
          { header: 'Expected buyers', align: 'right' },
          ...(revenue ? [{ header: 'Expected revenue', align: 'right' as const }] : []),
          { header: 'Chance from', align: 'right' },
        ],
        rows: b.segments.map((s): Cell[] => [
          `${s.name} (${s.code})`,
          f.int(s.customers),
          f.int(Math.round(s.expectedBuyers)),
          ...(revenue ? [f.int(Math.round(s.expectedRevenue ?? 0))] : []),
          s.customers ? f.pct(s.minScore, 0) : '–',
        ]),
      },
    ],
  };
}

/** What changed since the last published night: new in the top segment, biggest movers with why. */
export function changesSection(data: RunReportData): ReportSection | undefined {
  const b = data.brief;
  if (!b) return undefined;
  if (!b.lastNight)
    return {
      id: 'changes',
      title: 'What changed',
      blocks: [
        { kind: 'paragraph', text: 'This is the first published night: nothing to compare with yet.' },
      ],
    };
  const blocks: Block[] = [];
  const top = b.segments[0]!.name.toLowerCase();
  const fresh = b.newInTop;
  blocks.push({
    kind: 'paragraph',
    text: fresh?.count
      ? `${f.int(fresh.count)} customers are new in the ${top} since ${b.lastNight.businessDate}${
          fresh.examples.length ? `, e.g. ${fresh.examples.map((c) => c.customerId).join(', ')}` : ''
        }.`
      : `No new customers in the ${top} since ${b.lastNight.businessDate}.`,
  });
  const row = (m: Brief['moversUp'][number]): Cell[] => [
    m.customerId,
    `${f.pct(m.previous, 0)} → ${f.pct(m.current, 0)}`,
    m.why ?? '–',
  ];
  const columns = [
    { header: 'Customer' },
    { header: 'Chance', align: 'right' as const },
    { header: 'Main reason tonight' },
  ];
  if (b.moversUp.length)
    blocks.push({ kind: 'table', caption: 'Rising most', columns, rows: b.moversUp.map(row) });
  if (b.moversDown.length)
    blocks.push({ kind: 'table', caption: 'Falling most', columns, rows: b.moversDown.map(row) });
  return { id: 'changes', title: 'What changed since last night', blocks };
}

/** Data and model health in one line each; the details are in the model card. */
export function healthSection(data: RunReportData, cardLink: string | undefined): ReportSection {
  const h = data.dataHealth;
  const skipped = (h?.sources ?? []).filter((s) => s.skipped).length;
  const failedChecks = (h?.qualityChecks ?? []).filter(
    (c) => c.status === 'fail' || c.status === 'warn',
  ).length;
  const drift = (h?.drift ?? []).filter((d) => d.band === 'major' && !d.structural).length;
  const rows = (h?.sources ?? []).reduce((n, s) => n + s.rows, 0);
  const input = h?.sources?.length
    ? skipped
      ? 'input unchanged (file skipped), the data loaded before is used'
      : `${f.int(rows)} rows loaded`
    : undefined;
  const problems = [
    failedChecks ? `${failedChecks} check(s) warned` : '',
    drift ? `${drift} feature(s) drifted` : '',
  ].filter(Boolean);
  const dataLine = `Data: ${[problems.length ? `${problems.join(', ')} (see the details)` : 'healthy', input]
    .filter(Boolean)
    .join('; ')}.`;
  const m = data.metrics;
  const decision = data.modelDecision;
  const modelLine = m
    ? `Model: ${qualityWord(m.rocAuc).toLowerCase()} (ROC-AUC ${f.fixed(m.rocAuc, 2)})${
        decision ? `, ${decision.promoted ? 'a new model was promoted' : 'the current model was kept'}` : ''
      }.`
    : 'Model: no new model tonight.';
  const blocks: Block[] = [{ kind: 'list', items: [dataLine, modelLine] }];
  if (cardLink)
    blocks.push({ kind: 'paragraph', muted: true, text: `Details for analysts (model card): ${cardLink}` });
  return { id: 'health', title: 'Data and model health', blocks };
}

/** How to get the whole list: the attachment, or the table and a ready SQL line. */
export function fullListSection(
  data: RunReportData,
  attachment: string | undefined,
): ReportSection | undefined {
  const b = data.brief;
  if (!b) return undefined;
  const blocks: Block[] = [];
  const segments = b.segments
    .slice(0, 2)
    .map((s) => s.name.toLowerCase())
    .join(' and ');
  if (attachment)
    blocks.push({
      kind: 'paragraph',
      text:
        b.attachedRows < b.listRows
          ? `Attached: ${attachment}, the first ${f.int(b.attachedRows)} of the ${f.int(b.listRows)} customers of the target list (${segments}) by chance, with their segment and reasons; the whole list is in the table below.`
          : `Attached: ${attachment}, the whole target list (${segments}): ${f.int(b.attachedRows)} customers with their chance, segment and reasons.`,
    });
  blocks.push({ kind: 'paragraph', text: `Or query the table ${b.table}:` });
  blocks.push({ kind: 'code', text: b.sql });
  return { id: 'full-list', title: 'Get the full list', blocks };
}
