import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@paperfeed/config';
import { Mailer } from './mailer';

describe('Mailer without SMTP_URL', () => {
  it('logs a mail with its tokens redacted and writes it whole to DATA_DIR/outbox (mode 0600)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperfeed-mail-'));
    const lines: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void lines.push(String(message)));
    try {
      const mailer = new Mailer(loadConfig({ DATA_DIR: dataDir }));
      const text = 'Confirm: http://localhost:3000/v1/subscriptions/confirm?token=s3cret-token-value\n';
      await mailer.send({ to: 'ada@example.org', subject: 'confirm', text, html: '' });
      expect(lines.join('\n')).toContain('token=[redacted]');
      expect(lines.join('\n')).not.toContain('s3cret-token-value');
      const [file] = fs.readdirSync(path.join(dataDir, 'outbox'));
      const written = path.join(dataDir, 'outbox', file);
      expect(fs.readFileSync(written, 'utf8')).toContain('token=s3cret-token-value');
      expect(fs.statSync(written).mode & 0o777).toBe(0o600);
    } finally {
      spy.mockRestore();
    }
  });
});
