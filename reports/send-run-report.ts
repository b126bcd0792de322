import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pool } from 'mysql2/promise';
import type { Config } from '../config/env.ts';
import type { Logger } from '../config/logger.ts';
import type { Db } from '../db/client.ts';
import { parseJsonValue } from '../db/json-column.ts';
import { reportArchiveDir } from './archive-dir.ts';
import { briefCorrection, publishedScoresDigest, recordBriefScores } from './gather/brief-scores.ts';
import type { ExploratorySample } from './gather/gather-exploratory.ts';
import { gatherReportData } from './gather/gather-report-data.ts';
import { queryRows } from './gather/query-rows.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import { renderRunReport } from './render/render-run-report.ts';
import type { RunStatus } from './render/report-data.ts';
import { CARD_FILE, writeReportArchive } from './render/write-archive.ts';
import { sendOnce, type SendOutcome } from './send-once.ts';

export interface RunReportDeps {
  db: Db;
  pool: Pool;
  config: Pick<Config, 'REPORT_DIR' | 'REPORT_TO'>;
  mailer: Mailer;
  log: Logger;
  /** How to sample the run's feature rows (its pipeline mode's); without it the exploratory section is left out. */
  exploratorySample?: ExploratorySample;
}

export interface RunReportOutcome {
  status: RunStatus;
  kind: string;
  mail: SendOutcome;
  /** index.html of the archive. */
  archive: string;
  /** The failure or degradation in one line, for the ledger. */
  problem?: string;
  to: string[];
  size: MailSize;
}

/**
 * The stakeholder mail of one run outcome: gather the night from MySQL, render it, archive it,
 * send it once. A success or degraded night is kind `report`; a failed one `report-failed`
 * (`.gN` after a rerun), so the failure of a run that is later resumed and finishes still gets
 * its own mail, and retries or reruns never send one twice. A rerun (generation N) whose
 * published scores differ from the earlier brief's is kind `report.corrected.gN`, marked
 * "Corrected" with what changed.
 */
export async function sendRunReport(deps: RunReportDeps, runKey: string): Promise<RunReportOutcome> {
  const { to, generation, run } = await recipients(deps, runKey);
  // A rerun whose published scores differ from what the earlier brief said mails a corrected brief
  // (once per generation: its own outbox kind); identical scores dedupe to the first `report`.
  // The digest reads the score history while the sections are gathered from the other tables: on a
  // million customers it is seconds of server CPU, and the gathering leaves the second core idle.
  const [data, digest] = await Promise.all([
    gatherReportData(deps.pool, runKey, deps.exploratorySample),
    run && run.status !== 'failed'
      ? publishedScoresDigest(deps.pool, run.pipeline, run.business_date, runKey)
      : undefined,
  ]);
  const correction =
    digest && digest.customers > 0 ? await briefCorrection(deps.pool, runKey, generation, digest) : null;
  if (correction) data.correction = correction;
  const dir = reportArchiveDir(deps.config, data.pipeline, data.businessDate);
  const rendered = await renderRunReport(data, { cardLink: pathToFileURL(join(dir, CARD_FILE)).href });
  const archive = await writeReportArchive(rendered, dir);
  const kind =
    data.status === 'failed'
      ? `report-failed${generation > 1 ? `.g${generation}` : ''}`
      : correction
        ? `report.corrected.g${generation}`
        : 'report';
  const message: MailMessage = {
    to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    attachments: [
      ...rendered.images.map((i) => ({
        filename: i.filename,
        content: i.png,
        contentType: 'image/png',
        cid: i.cid,
        contentDisposition: 'inline' as const,
      })),
      ...rendered.attachments.map((a) => ({ ...a, contentDisposition: 'attachment' as const })),
    ],
  };
  const size = mailSize(message);
  const mail = await sendOnce(deps.db, deps.mailer, runKey, kind, message);
  if (digest && digest.customers > 0) await recordBriefScores(deps.pool, runKey, generation, digest, kind);
  deps.log.info(
    {
      runKey,
      kind,
      status: data.status,
      mail: mail.sent ? 'sent' : mail.reason,
      archive,
      to,
      size,
      ...(correction ? { corrects: correction.previousGeneration } : {}),
    },
    'run report',
  );
  const problem = data.failure ? `${data.failure.step}: ${data.failure.message}` : undefined;
  return { status: data.status, kind, mail, archive, to, size, ...(problem ? { problem } : {}) };
}

/** Bytes of the mail's parts before MIME encoding (base64 adds a third to images and attachments). */
export interface MailSize {
  htmlBytes: number;
  images: number;
  imageBytes: number;
  attachmentBytes: number;
  /** Estimated size on the wire: text + HTML, base64 of every binary part. */
  totalBytes: number;
}

function mailSize(m: MailMessage): MailSize {
  const bytes = (c: Buffer | string): number => (typeof c === 'string' ? Buffer.byteLength(c) : c.length);
  const parts = m.attachments ?? [];
  const images = parts.filter((a) => a.contentDisposition === 'inline');
  const files = parts.filter((a) => a.contentDisposition !== 'inline');
  const htmlBytes = Buffer.byteLength(m.html ?? '');
  const imageBytes = images.reduce((n, a) => n + bytes(a.content), 0);
  const attachmentBytes = files.reduce((n, a) => n + bytes(a.content), 0);
  const textBytes = Buffer.byteLength(m.text ?? '');
  return {
    htmlBytes,
    images: images.length,
    imageBytes,
    attachmentBytes,
    totalBytes: htmlBytes + textBytes + Math.ceil(((imageBytes + attachmentBytes) * 4) / 3),
  };
}

/** The pipeline's recipients as recorded when the run started (else REPORT_TO), and the run's ledger row. */
async function recipients(
  deps: RunReportDeps,
  runKey: string,
): Promise<{ to: string[]; generation: number; run?: LedgerRow }> {
  const [row] = await queryRows<LedgerRow & { params: unknown; generation: number }>(
    deps.pool,
    'SELECT params, generation, pipeline, business_date, status FROM pipeline_runs WHERE run_key = ?',
    [runKey],
  );
  const params = parseJsonValue<{ recipients?: unknown } | undefined>(row?.params);
  const listed = Array.isArray(params?.recipients)
    ? params.recipients.filter((r): r is string => typeof r === 'string' && r.length > 0)
    : [];
  const to = listed.length
    ? listed
    : deps.config.REPORT_TO.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  return { to, generation: row?.generation ?? 1, ...(row ? { run: row } : {}) };
}

/** What the digest needs before the report is gathered; a failed run (the ledger says so) gets none. */
interface LedgerRow {
  pipeline: string;
  business_date: string;
  status: string;
}
