import { createHash } from 'node:crypto';
import type { Config } from '../config/env.ts';

/** How the outbox retries a mail it could not deliver: minutes to hours, not a step's quick attempts. */
export interface OutboxPolicy {
  /** First retry delay; doubles with each failed attempt up to `retryMaxMs`. */
  retryMs: number;
  retryMaxMs: number;
  /** After this long since the mail was queued, the outbox gives up (status `failed`). */
  giveUpMs: number;
  /** A `sending` older than this was cut off by a crash: the mail is sent again. */
  leaseMs: number;
}

export function outboxPolicy(
  config: Pick<
    Config,
    'CPD_MAIL_RETRY_MS' | 'CPD_MAIL_RETRY_MAX_MS' | 'CPD_MAIL_GIVE_UP_MS' | 'CPD_MAIL_LEASE_MS'
  >,
): OutboxPolicy {
  return {
    retryMs: config.CPD_MAIL_RETRY_MS,
    retryMaxMs: config.CPD_MAIL_RETRY_MAX_MS,
    giveUpMs: config.CPD_MAIL_GIVE_UP_MS,
    leaseMs: config.CPD_MAIL_LEASE_MS,
  };
}

/** The delay before the next attempt after `attempts` failed ones (1 = the first failed). */
export function retryDelayMs(attempts: number, policy: Pick<OutboxPolicy, 'retryMs' | 'retryMaxMs'>): number {
  const n = Math.max(1, attempts);
  // 2^30 is already far past any sane cap; clamping the exponent keeps the maths finite.
  return Math.min(policy.retryMaxMs, policy.retryMs * 2 ** Math.min(30, n - 1));
}

/**
 * The Message-ID of a run's mail of one kind: the same for every attempt, every worker and every
 * resend, so a mail client (or Mailpit, or Gmail) sees a resend as the same message. Readable
 * (kind and run key, reduced to safe characters) plus a hash of the exact pair, so two run keys
 * that reduce alike still differ.
 */
export function outboxMessageId(runKey: string, kind: string): string {
  const hash = createHash('sha256').update(`${runKey}\u0000${kind}`).digest('hex').slice(0, 16);
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 80);
  return `<cpd.${safe(kind)}.${safe(runKey)}.${hash}@purchase-detection.invalid>`;
}
