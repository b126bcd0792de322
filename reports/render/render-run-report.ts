import type { ChartImage } from '../charts/chart-image.ts';
import { buildBriefDocument } from './build-brief-document.ts';
import { buildReportDocument } from './build-report-document.ts';
import { customersCsv } from './customers-csv.ts';
import { documentToHtml } from './document-html.ts';
import { documentToText } from './document-text.ts';
import { metricsJson } from './metrics-json.ts';
import { renderReportCharts } from './report-charts.ts';
import type { BriefCustomer, RunReportData } from './report-data.ts';
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
  /** Bytes the target-list CSV may take (default ATTACHMENT_BYTES): rows beyond it stay in the table. */
  attachmentBytes?: number;
}

/**
 * The target list's CSV budget: 4 MiB is ~5.6 MB base64-encoded. Many mail servers refuse mails
 * over 10 MB, and the outbox keeps the MIME in one row written as one statement, which the server
 * caps at max_allowed_packet (16 MB on MariaDB; the blob travels as hex, twice its size). At 1 M
 * generated customers 40,000 rows made a 8.6 MB message that the outbox insert could not store.
 */
export const ATTACHMENT_BYTES = 4 * 1024 * 1024;

/** The longest head of the list whose CSV fits the budget (rows are similar: a proportional cut, then trim). */
function listWithin(
  list: BriefCustomer[],
  budget: number,
): { list: BriefCustomer[]; csv: string | undefined } {
  let csv = customersCsv(list);
  while (csv !== undefined && Buffer.byteLength(csv) > budget) {
    const keep = Math.min(
      list.length - 1,
      Math.floor(((list.length * budget) / Buffer.byteLength(csv)) * 0.99),
    );
    list = list.slice(0, Math.max(0, keep));
    csv = customersCsv(list);
  }
  return { list, csv };
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
  const { list, csv } = listWithin(data.brief?.list ?? [], options.attachmentBytes ?? ATTACHMENT_BYTES);
  // The brief says how many rows went with the mail: the ones that fit.
  const briefData =
    data.brief && list.length < data.brief.attachedRows
      ? { ...data, brief: { ...data.brief, list, attachedRows: list.length } }
      : data;
  const csvName = `${base}-target-list-${list.length}-customers.csv`;
  if (csv !== undefined)
    attachments.push({ filename: csvName, contentType: 'text/csv; charset=utf-8', content: csv });
  attachments.push({
    filename: `${base}-metrics.json`,
    contentType: 'application/json',
    content: metricsJson(data),
  });
  const brief = buildBriefDocument(briefData, charts, {
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
