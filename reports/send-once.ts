import { and, eq, sql } from 'drizzle-orm';
import { faultPoint } from '../config/fault-point.ts';
import type { Db } from '../db/client.ts';
import { emailOutbox } from '../db/schema/index.ts';
import { isPermanentSmtpError, type Mailer, type MailMessage } from './mailer.ts';
import { outboxMessageId, retryDelayMs } from './outbox-policy.ts';

export type SendOutcome =
  | { sent: true; messageId: string; location?: string; resend: boolean }
  | {
      sent: false;
      /** already-sent: nothing to do; queued: the dispatcher will (re)try; gave-up: the outbox stopped trying. */
      reason: 'already-sent' | 'queued' | 'gave-up';
      messageId?: string;
      error?: string;
    };

/**
 * Queues a run's mail of one kind in the outbox (once: the (run_key, kind) row is unique) and
 * tries to deliver it right away. What is promised:
 * - at least once: a mail that could not be delivered stays `pending` and the outbox dispatcher
 *   retries it on its own schedule (minutes to hours), whatever happens to the run or the step;
 * - deduplicated: every attempt sends the same stored bytes with the same Message-ID; `sending`
 *   is recorded before the SMTP transaction and `sent` after, so the only way to get two copies
 *   is a crash between the server's acceptance and the `sent` mark; that row is then resent
 *   once its lease expires, with the same Message-ID, and counted in `resends`.
 * A delivery failure never throws: the caller's step must not fail because SMTP is down.
 */
export async function sendOnce(
  db: Db,
  mailer: Mailer,
  runKey: string,
  kind: string,
  message: MailMessage,
): Promise<SendOutcome> {
  const messageId = outboxMessageId(runKey, kind);
  const [existing] = await db
    .select({ id: emailOutbox.id, status: emailOutbox.status })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.runKey, runKey), eq(emailOutbox.kind, kind)));
  if (existing?.status === 'sent') return { sent: false, reason: 'already-sent' };
  if (!existing) {
    const mime = await mailer.compose(message, messageId);
    await db
      .insert(emailOutbox)
      .values({
        runKey,
        kind,
        recipients: message.to.join(', '),
        subject: message.subject.slice(0, 500),
        status: 'pending',
        messageId,
        mime,
        html: browserHtml(message),
        nextAttemptAt: sql`CURRENT_TIMESTAMP(3)`,
      })
      .onDuplicateKeyUpdate({ set: { id: sql`id` } });
  }
  const [row] = await db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.runKey, runKey), eq(emailOutbox.kind, kind)));
  return deliverOutboxMail(db, mailer, row!.id);
}

/**
 * One delivery attempt of an outbox row, if it is due: pending and past its next attempt time,
 * or stuck in `sending` past the lease (its sender crashed mid-transaction: a resend). The claim
 * is one conditional UPDATE, so two workers never send the same row at once.
 */
export async function deliverOutboxMail(db: Db, mailer: Mailer, id: number): Promise<SendOutcome> {
  const policy = mailer.policy;
  // `resends` is assigned first: MySQL evaluates SET left to right, so it still sees the old status.
  const [claim] = (await db.execute(sql`
    UPDATE email_outbox
       SET resends = resends + IF(status = 'sending', 1, 0),
           attempts = attempts + 1,
           status = 'sending',
           sending_since = CURRENT_TIMESTAMP(3)
     WHERE id = ${id}
       AND mime IS NOT NULL
       AND ((status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= CURRENT_TIMESTAMP(3)))
         OR (status = 'sending' AND sending_since < CURRENT_TIMESTAMP(3) - INTERVAL ${policy.leaseMs * 1000} MICROSECOND))`)) as unknown as [
    { affectedRows: number },
  ];
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
  if (!row) throw new Error(`outbox row ${id} is gone`);
  const messageId = row.messageId ?? outboxMessageId(row.runKey, row.kind);
  if (claim.affectedRows !== 1) {
    if (row.status === 'sent') return { sent: false, reason: 'already-sent' };
    if (row.status === 'failed') return { sent: false, reason: 'gave-up', messageId, error: row.error ?? '' };
    return { sent: false, reason: 'queued', messageId, ...(row.error ? { error: row.error } : {}) };
  }
  try {
    const info = await mailer.send({
      to: row.recipients.split(',').map((s) => s.trim()),
      subject: row.subject,
      messageId,
      mime: row.mime!,
      html: row.html,
    });
    // The worst moment to die: the server has the mail, the outbox still says `sending`.
    faultPoint('mail.after-smtp-accept');
    await db
      .update(emailOutbox)
      .set({
        status: 'sent',
        location: info.location ?? null,
        sentAt: sql`CURRENT_TIMESTAMP(3)`,
        sendingSince: null,
        error: null,
      })
      .where(eq(emailOutbox.id, id));
    return {
      sent: true,
      messageId,
      resend: row.resends > 0,
      ...(info.location ? { location: info.location } : {}),
    };
  } catch (err) {
    const error = (err as Error).message.slice(0, 2000);
    const age = Date.now() - row.createdAt.getTime();
    const giveUp = isPermanentSmtpError(err) || age + retryDelayMs(row.attempts, policy) > policy.giveUpMs;
    await db
      .update(emailOutbox)
      .set({
        status: giveUp ? 'failed' : 'pending',
        error,
        sendingSince: null,
        nextAttemptAt: giveUp
          ? null
          : sql`CURRENT_TIMESTAMP(3) + INTERVAL ${retryDelayMs(row.attempts, policy) * 1000} MICROSECOND`,
      })
      .where(eq(emailOutbox.id, id));
    return { sent: false, reason: giveUp ? 'gave-up' : 'queued', messageId, error };
  }
}

/**
 * The HTML as a browser opens it from the file outbox: inline images (`cid:` references that only
 * a mail client resolves) become data URIs of the same bytes. The MIME message itself is unchanged.
 */
export function browserHtml(message: Pick<MailMessage, 'html' | 'attachments'>): string {
  const images = new Map(
    (message.attachments ?? [])
      .filter((a) => a.cid)
      .map((a) => [a.cid!, `data:${a.contentType};base64,${Buffer.from(a.content).toString('base64')}`]),
  );
  return message.html.replace(/cid:([^"')\s]+)/g, (ref, cid: string) => images.get(cid) ?? ref);
}
