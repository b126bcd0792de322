import {
  actionsSection,
  changesSection,
  fullListSection,
  healthSection,
  segmentsSection,
  verdictSection,
} from './brief-sections.ts';
import type { ReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { ReportDocument, ReportSection } from './report-document.ts';

export interface BriefLinks {
  /** Where the full model card is (the archive), for "details for analysts". */
  card?: string;
  /** File name of the attached target list. */
  attachment?: string;
}

/**
 * The stakeholder brief, top to bottom: verdict and tiles, who to contact, segments, what
 * changed, health in two lines, how to get the whole list. One picture at most (the score
 * spread); the curves, calibration, drift and registry decision live in the model card.
 */
export const BRIEF_SECTION_IDS = [
  'verdict',
  'actions',
  'segments',
  'changes',
  'health',
  'full-list',
] as const;

export function buildBriefDocument(
  data: RunReportData,
  charts: ReportCharts,
  links: BriefLinks,
): ReportDocument {
  const segments = segmentsSection(data);
  if (segments && charts.distribution) segments.blocks.push({ kind: 'chart', chart: charts.distribution });
  const verdict = verdictSection(data);
  // Said first: whoever acted on the earlier brief must see that this one replaces it.
  if (data.correction)
    verdict.blocks.unshift({
      kind: 'callout',
      tone: 'warn',
      title: `Corrected: this brief replaces the one sent earlier for ${data.pipeline}, ${data.businessDate}`,
      lines: [data.correction.line],
    });
  const sections: (ReportSection | undefined)[] = [
    verdict,
    actionsSection(data),
    segments,
    changesSection(data),
    healthSection(data, links.card),
    fullListSection(data, links.attachment),
  ];
  return {
    title: `${data.correction ? 'Corrected: ' : ''}${data.pipeline} ${data.businessDate}: ${data.status}`,
    status: data.status,
    sections: sections.filter((s): s is ReportSection => s !== undefined && s.blocks.length > 0),
  };
}
