import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { redactUrl } from '@paperfeed/observability';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** A stable Message-ID lets a retry be recognised as the same message. */
  messageId?: string;
}

/** The server refused the message for good (5xx): retrying cannot help. */
export class PermanentMailError extends Error {}

/**
 * Outgoing mail through SMTP_URL. Without it, mails are not sent: each is logged with its links'
 * tokens redacted (logs are no place for secrets) and written whole to DATA_DIR/outbox (mode
 * 0600), where the person running paperfeed on their own machine can open it.
 */
@Injectable()
export class Mailer {
  private readonly logger = new Logger(Mailer.name);
  private readonly transport: Transporter | undefined;
  private readonly from: string;
  private readonly outbox: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Pooled: digests go out by the thousand; a connection per mail would dominate.
    this.transport = config.smtpUrl ? createTransport({ url: config.smtpUrl, pool: true, maxConnections: 4 } as never) : undefined;
    this.from = config.mailFrom;
    this.outbox = path.join(config.dataDir, 'outbox');
  }

  /** Sends a mail and returns its Message-ID; a 5xx refusal is a PermanentMailError. */
  async send(mail: Mail): Promise<string> {
    if (!this.transport) {
      const file = path.join(this.outbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.txt`);
      fs.mkdirSync(this.outbox, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, `To: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}\n`, { mode: 0o600 });
      this.logger.log(
        `SMTP_URL is not set; not sent, written to ${file}: ${JSON.stringify({ to: mail.to, subject: mail.subject, text: redactUrl(mail.text) })}`,
      );
      return mail.messageId ?? 'logged';
    }
    try {
      const info = await this.transport.sendMail({ from: this.from, ...mail });
      return info.messageId as string;
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500) throw new PermanentMailError(`${mail.to}: ${(error as Error).message}`);
      throw error;
    }
  }
}
