import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/env.ts';

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

export interface Mailer {
  readonly kind: 'smtp' | 'file';
  send(message: MailMessage): Promise<SentMail>;
  close(): void;
}

/**
 * The one place nodemailer is used. With SMTP_URL set mails go to that server; without it they are
 * written as .eml (the exact MIME message) plus .html (to open in a browser) to the file outbox.
 */
export function createMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'OUTBOX_DIR'>): Mailer {
  if (config.SMTP_URL) {
    const transport: Transporter = nodemailer.createTransport(config.SMTP_URL);
    return {
      kind: 'smtp',
      async send(message) {
        const info = await transport.sendMail({ from: config.MAIL_FROM, ...message });
        return { messageId: info.messageId };
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(message) {
      const info = await transport.sendMail({ from: config.MAIL_FROM, ...message });
      const base = path.join(
        config.OUTBOX_DIR,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${slug(message.subject)}`,
      );
      await mkdir(config.OUTBOX_DIR, { recursive: true });
      // Written under a temporary name and renamed, so a reader of the outbox never sees half a mail.
      await writeFile(`${base}.html.tmp`, message.html);
      await rename(`${base}.html.tmp`, `${base}.html`);
      await writeFile(`${base}.eml.tmp`, info.message as Buffer);
      await rename(`${base}.eml.tmp`, `${base}.eml`);
      return { messageId: info.messageId, location: `${base}.eml` };
    },
    close: () => transport.close(),
  };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
