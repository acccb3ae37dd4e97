/**
 * Issue #7 figure: building and sending digests for 10,000 confirmed subscribers (category
 * digests over the 12,000 real papers) to a local SMTP server (npm smtp-server), from
 * POST /v1/admin/digests/run until every digest is recorded sent. Baseline in the same run: the
 * same number of comparable mails sent straight through nodemailer, no pipeline.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/digests.ts [subscribers=10000] [rounds=3]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadArxivPapers, SHARED_DIR, toPushedPaper } from '../tools/arxiv-data';
import { databaseLabel, dbNow, median, pushPapers, RunningSystem, startAllInOne } from './support';

const SUBSCRIBERS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CATEGORIES = ['cs.CV', 'cs.CL', 'cs.AI', 'cs.LG', 'cs.RO'];

async function smtpServer(): Promise<{ url: string; count: () => number; close: () => void }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`,
    count: () => received,
    close: () => server.close(),
  };
}

async function addSubscribers(system: RunningSystem, n: number, round: number): Promise<void> {
  for (let start = 0; start < n; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - start) }, (_, i) => {
      const k = start + i;
      return [
        randomUUID(),
        `reader${k}-r${round}@example.org`,
        CATEGORIES[k % CATEGORIES.length],
        randomBytes(12).toString('hex'),
        randomBytes(12).toString('hex'),
      ];
    });
    await system.db.query(
      `INSERT INTO subscriptions (id, email, cadence, categories, content_key, state, confirm_token, unsubscribe_token, confirmed_at)
       SELECT x.id::uuid, x.email, 'daily', ARRAY[x.category], x.category, 'active', x.confirm, x.unsub, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(id, email, category, confirm, unsub)`,
      [0, 1, 2, 3, 4].map((column) => rows.map((row) => row[column])),
    );
  }
}

async function pipelineRate(system: RunningSystem, round: number): Promise<number> {
  await system.db.query(`DELETE FROM subscriptions`);
  await addSubscribers(system, SUBSCRIBERS, round);
  const started = await dbNow(system);
  const response = await fetch(`${system.url}/v1/admin/digests/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${system.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cadence: 'daily' }),
  });
  if (response.status !== 202) throw new Error(`run: ${response.status}`);
  for (;;) {
    const { rows } = await system.db.query(`SELECT count(*)::int AS n, max(sent_at) AS last FROM digests WHERE state = 'sent'`);
    if (rows[0].n >= SUBSCRIBERS) return SUBSCRIBERS / ((rows[0].last.getTime() - started.getTime()) / 1000);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function bareRate(url: string): Promise<number> {
  const transport = createTransport({ url, pool: true, maxConnections: 4 } as never);
  const body = 'x'.repeat(4000);
  const started = performance.now();
  const queue = Array.from({ length: SUBSCRIBERS }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await transport.sendMail({
          from: 'bench@paperfeed.test',
          to: `bare${i}@example.org`,
          subject: 'digest',
          text: body,
          html: `<p>${body}</p>`,
        });
      }
    }),
  );
  transport.close();
  return SUBSCRIBERS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const smtp = await smtpServer();
  const system = await startAllInOne({
    SMTP_URL: smtp.url,
    WORKER_QUEUES: 'ingest,digest',
    WORKER_CONCURRENCY: '16',
    EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'),
    EMBEDDING_DTYPE: 'fp32',
  });
  const pipeline: number[] = [];
  const bare: number[] = [];
  try {
    const papers = loadArxivPapers(12_000);
    await pushPapers(system, papers.map(toPushedPaper));
    for (;;) {
      const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM papers`);
      if (rows[0].n >= papers.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let round = 1; round <= ROUNDS; round++) {
      pipeline.push(await pipelineRate(system, round));
      bare.push(await bareRate(smtp.url));
      console.log(`round ${round}: digests ${pipeline.at(-1)!.toFixed(0)}/s; bare nodemailer ${bare.at(-1)!.toFixed(0)} mails/s`);
    }
  } finally {
    await system.stop();
    smtp.close();
  }
  console.log(`\n${SUBSCRIBERS} confirmed subscribers, 12,000 papers, medians of ${ROUNDS}`);
  console.log(`digests built and sent: ${median(pipeline).toFixed(0)} digests/s (target ≥ 100)`);
  console.log(`bare nodemailer to the same server: ${median(bare).toFixed(0)} mails/s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
