import { Inject, Injectable, Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';

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

/** Outgoing mail through SMTP_URL; without it, mails are logged instead of sent. */
@Injectable()
export class Mailer {
  private readonly logger = new Logger(Mailer.name);
  private readonly transport: Transporter | undefined;
  private readonly from: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Pooled: digests go out by the thousand; a connection per mail would dominate.
    this.transport = config.smtpUrl ? createTransport({ url: config.smtpUrl, pool: true, maxConnections: 4 } as never) : undefined;
    this.from = config.mailFrom;
  }

  /** Sends a mail and returns its Message-ID; a 5xx refusal is a PermanentMailError. */
  async send(mail: Mail): Promise<string> {
    if (!this.transport) {
      this.logger.log(`SMTP_URL is not set; not sent: ${JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text })}`);
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
