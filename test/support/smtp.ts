import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/** What the test SMTP server does with the next message to an address (default: accept it). */
export type SmtpBehaviour = 'accept' | { reject: number } | { then: (mail: ParsedMail) => void };

/** A real SMTP server (npm smtp-server) that keeps every message it accepts. */
export class TestSmtpServer {
  readonly received: ParsedMail[] = [];
  private readonly plans = new Map<string, SmtpBehaviour[]>();
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        void simpleParser(stream).then((mail) => {
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const plan = this.plans.get(to)?.shift() ?? 'accept';
          if (typeof plan === 'object' && 'reject' in plan) {
            return callback(Object.assign(new Error(`refused with ${plan.reject}`), { responseCode: plan.reject }));
          }
          this.received.push(mail);
          if (typeof plan === 'object') plan.then(mail);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  plan(address: string, ...behaviours: SmtpBehaviour[]): void {
    this.plans.set(address, [...(this.plans.get(address) ?? []), ...behaviours]);
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((mail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).some((t) => t?.text.includes(address)));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
