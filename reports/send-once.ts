import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { emailOutbox } from '../db/schema/index.ts';
import type { Mailer, MailMessage } from './mailer.ts';

export type SendOutcome =
  { sent: true; messageId: string; location?: string } | { sent: false; reason: 'already-sent' };

/**
 * Sends a run's mail of one kind at most once. The (run_key, kind) row is claimed before sending
 * and marked sent after; a retry or rerun finds it sent and sends nothing. The caller holds the
 * step's run lock, so two workers cannot be between claim and mark at the same time.
 */
export async function sendOnce(
  db: Db,
  mailer: Mailer,
  runKey: string,
  kind: string,
  message: MailMessage,
): Promise<SendOutcome> {
  await db
    .insert(emailOutbox)
    .values({
      runKey,
      kind,
      recipients: message.to.join(', '),
      subject: message.subject.slice(0, 500),
      status: 'pending',
    })
    .onDuplicateKeyUpdate({ set: { id: sql`id` } });
  const [row] = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.runKey, runKey), eq(emailOutbox.kind, kind)));
  if (row?.status === 'sent') return { sent: false, reason: 'already-sent' };
  try {
    const info = await mailer.send(message);
    await db
      .update(emailOutbox)
      .set({
        status: 'sent',
        messageId: info.messageId,
        location: info.location ?? null,
        sentAt: sql`CURRENT_TIMESTAMP(3)`,
        error: null,
      })
      .where(and(eq(emailOutbox.runKey, runKey), eq(emailOutbox.kind, kind)));
    return { sent: true, ...info };
  } catch (err) {
    await db
      .update(emailOutbox)
      .set({ status: 'failed', error: (err as Error).message.slice(0, 2000) })
      .where(and(eq(emailOutbox.runKey, runKey), eq(emailOutbox.kind, kind)));
    throw err;
  }
}
