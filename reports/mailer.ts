import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/env.ts';
import { type OutboxPolicy, outboxPolicy } from './outbox-policy.ts';

export interface MailMessage {
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** Inline images carry a `cid` the HTML refers to as `cid:...`. */
  /** Inline (cid) images go as `inline` parts inside multipart/related; the rest as attachments. */
  attachments?: {
    filename: string;
    content: Buffer | string;
    contentType: string;
    cid?: string;
    contentDisposition?: 'inline' | 'attachment';
  }[];
}

export interface SentMail {
  messageId: string;
  /** The .eml path when the file outbox was used. */
  location?: string;
}

/** A message composed once, as the outbox stores it: every attempt sends these bytes. */
export interface ComposedMail {
  to: string[];
  subject: string;
  messageId: string;
  mime: Buffer;
  html?: string | null;
}

export interface Mailer {
  readonly kind: 'smtp' | 'file';
  /** How the outbox retries what this mailer could not deliver. */
  readonly policy: OutboxPolicy;
  /** The exact MIME message, with the given Message-ID (`<...@...>`). */
  compose(message: MailMessage, messageId: string): Promise<Buffer>;
  send(mail: ComposedMail): Promise<SentMail>;
  close(): void;
}

/** An SMTP reply that says retrying the same message cannot help (5xx: bad recipient, refused content). */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500;
}

/**
 * The one place nodemailer is used. With SMTP_URL set mails go to that server; without it they are
 * written as .eml (the exact MIME message) plus .html (to open in a browser) to the file outbox.
 */
export function createMailer(
  config: Pick<
    Config,
    | 'SMTP_URL'
    | 'MAIL_FROM'
    | 'OUTBOX_DIR'
    | 'CPD_MAIL_RETRY_MS'
    | 'CPD_MAIL_RETRY_MAX_MS'
    | 'CPD_MAIL_GIVE_UP_MS'
    | 'CPD_MAIL_LEASE_MS'
  >,
): Mailer {
  const policy = outboxPolicy(config);
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const compose = async (message: MailMessage, messageId: string): Promise<Buffer> => {
    const info = await composer.sendMail({ from: config.MAIL_FROM, ...message, messageId });
    return info.message as Buffer;
  };
  // The envelope sender is the bare address of MAIL_FROM ("Name <a@b>" -> a@b).
  const envelopeFrom = /<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM;
  if (config.SMTP_URL) {
    // Every SMTP transaction ends well within the outbox lease (CPD_MAIL_LEASE_MS, default 5 min):
    // a mail still `sending` past the lease is then surely one whose sender died, never a slow one.
    const transport: Transporter = nodemailer.createTransport({
      url: config.SMTP_URL,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      kind: 'smtp',
      policy,
      compose,
      async send(mail) {
        await transport.sendMail({ envelope: { from: envelopeFrom, to: mail.to }, raw: mail.mime });
        return { messageId: mail.messageId };
      },
      close: () => {
        transport.close();
        composer.close();
      },
    };
  }
  return {
    kind: 'file',
    policy,
    compose,
    async send(mail) {
      const base = path.join(
        config.OUTBOX_DIR,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${slug(mail.subject)}`,
      );
      await mkdir(config.OUTBOX_DIR, { recursive: true });
      // Written under a temporary name and renamed, so a reader of the outbox never sees half a mail.
      if (mail.html) {
        await writeFile(`${base}.html.tmp`, mail.html);
        await rename(`${base}.html.tmp`, `${base}.html`);
      }
      await writeFile(`${base}.eml.tmp`, mail.mime);
      await rename(`${base}.eml.tmp`, `${base}.eml`);
      return { messageId: mail.messageId, location: `${base}.eml` };
    },
    close: () => composer.close(),
  };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
