import type { ChartImage } from '../charts/chart-image.ts';
import { buildBriefDocument } from './build-brief-document.ts';
import { buildReportDocument } from './build-report-document.ts';
import { customersCsv } from './customers-csv.ts';
import { documentToHtml } from './document-html.ts';
import { documentToText } from './document-text.ts';
import { metricsJson } from './metrics-json.ts';
import { renderReportCharts } from './report-charts.ts';
import type { RunReportData } from './report-data.ts';
import type { ReportDocument } from './report-document.ts';
import { reportSubject } from './report-subject.ts';

export type { ChartImage } from '../charts/chart-image.ts';

export interface ReportAttachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
}

/** One printed document: its HTML with `cid:` images, the plain text, and those images. */
export interface RenderedPage {
  html: string;
  text: string;
  /** Inline images; the HTML references each one as `cid:<cid>`. */
  images: ChartImage[];
}

export interface RenderedReport extends RenderedPage {
  subject: string;
  attachments: ReportAttachment[];
  /** The full model card for analysts (metrics, curves, calibration, drift, data health, decision): archived, not mailed. */
  card: RenderedPage;
}

export interface RenderOptions {
  /** Where the archived model card will be, linked from the brief as "details for analysts". */
  cardLink?: string;
}

/**
 * Turn one run's data into a ready-to-send email (the stakeholder brief) and the model card that
 * is archived beside it. Pure: no database, network or clock; it only reads system fonts to
 * rasterise charts. Async because vega's renderer is.
 */
export async function renderRunReport(
  data: RunReportData,
  options: RenderOptions = {},
): Promise<RenderedReport> {
  const charts = await renderReportCharts(data);
  const base = `${fileSafe(data.pipeline)}-${fileSafe(data.businessDate)}`;
  const attachments: ReportAttachment[] = [];
  const list = data.brief?.list ?? [];
  const csv = customersCsv(list);
  const csvName = `${base}-target-list-${list.length}-customers.csv`;
  if (csv !== undefined)
    attachments.push({ filename: csvName, contentType: 'text/csv; charset=utf-8', content: csv });
  attachments.push({
    filename: `${base}-metrics.json`,
    contentType: 'application/json',
    content: metricsJson(data),
  });
  const brief = buildBriefDocument(data, charts, {
    ...(options.cardLink ? { card: options.cardLink } : {}),
    ...(csv !== undefined ? { attachment: csvName } : {}),
  });
  return {
    subject: reportSubject(data),
    ...printed(brief),
    attachments,
    card: printed(buildReportDocument(data, charts)),
  };
}

function printed(doc: ReportDocument): RenderedPage {
  // Only charts a section actually placed are attached, so every image has a cid in the HTML.
  const images = doc.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'chart' ? [b.chart] : [])));
  return { html: documentToHtml(doc), text: documentToText(doc), images };
}

function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'report';
}
