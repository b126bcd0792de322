import { customersSection } from './customers-section.ts';
import { dataHealthSection } from './data-health-section.ts';
import { decisionSection } from './decision-section.ts';
import { distributionSection } from './distribution-section.ts';
import { exploratorySection } from './exploratory-section.ts';
import { headlineSection } from './headline-section.ts';
import { metadataSection } from './metadata-section.ts';
import { moversSection } from './movers-section.ts';
import { qualitySection } from './quality-section.ts';
import { querySection } from './query-section.ts';
import type { ReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { ReportDocument, ReportSection } from './report-document.ts';
import { validationSection } from './validation-section.ts';
import { valueSection } from './value-section.ts';

/** Assemble the sections the data supports, in reading order. */
export function buildReportDocument(data: RunReportData, charts: ReportCharts): ReportDocument {
  const health = dataHealthSection(data);
  // On a bad night the data health tables usually explain what happened, so they move up.
  const healthFirst = data.status !== 'succeeded';
  const sections: (ReportSection | undefined)[] = [
    headlineSection(data),
    healthFirst ? health : undefined,
    qualitySection(data, charts),
    validationSection(data),
    distributionSection(data, charts),
    exploratorySection(data, charts),
    healthFirst ? undefined : health,
    decisionSection(data),
    valueSection(data),
    customersSection(data),
    moversSection(data),
    querySection(data),
    metadataSection(data),
  ];
  return {
    title: `${data.pipeline} ${data.businessDate}: ${data.status}`,
    status: data.status,
    sections: sections.filter((s): s is ReportSection => s !== undefined && s.blocks.length > 0),
  };
}
