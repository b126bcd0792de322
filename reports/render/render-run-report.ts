import type { ChartImage } from '../charts/chart-image.ts';
import { buildReportDocument } from './build-report-document.ts';
import { customersCsv } from './customers-csv.ts';
import { documentToHtml } from './document-html.ts';
import { documentToText } from './document-text.ts';
import { metricsJson } from './metrics-json.ts';
import { renderReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import { reportSubject } from './report-subject.ts';

export type { ChartImage } from '../charts/chart-image.ts';

export interface ReportAttachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  /** Inline images; the HTML references each one as `cid:<cid>`. */
  images: ChartImage[];
  attachments: ReportAttachment[];
}

/**
 * Turn one run's data into a ready-to-send email. Pure: no database, network or clock; it only
 * reads system fonts to rasterise charts. Async because vega's renderer is.
 */
export async function renderRunReport(data: RunReportData): Promise<RenderedReport> {
  const charts = await renderReportCharts(data);
  const doc = buildReportDocument(data, charts);
  const html = documentToHtml(doc);
  // Only charts a section actually placed are attached, so every image has a cid in the HTML.
  const images = doc.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'chart' ? [b.chart] : [])));
  const base = `${fileSafe(data.pipeline)}-${fileSafe(data.businessDate)}`;
  const attachments: ReportAttachment[] = [];
  const csv = customersCsv(data);
  if (csv !== undefined)
    attachments.push({
      filename: `${base}-scored-customers.csv`,
      contentType: 'text/csv; charset=utf-8',
      content: csv,
    });
  attachments.push({
    filename: `${base}-metrics.json`,
    contentType: 'application/json',
    content: metricsJson(data),
  });
  return { subject: reportSubject(data), html, text: documentToText(doc), images, attachments };
}

function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'report';
}
