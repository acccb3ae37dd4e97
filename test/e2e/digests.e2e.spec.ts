import { Queue } from 'bullmq';
import { REDIS_URL, waitFor } from '../support/env';
import { startWorker } from '../support/processes';
import { TestSmtpServer } from '../support/smtp';
import { Stack, startStack } from '../support/stack';

const PUBLIC_URL = 'http://paperfeed.test';
const paper = (id: string, title: string, category: string) => ({
  id,
  title,
  abstract: `An abstract about ${title.toLowerCase()}.`,
  authors: ['Ada Lovelace', 'Alan Turing'],
  categories: [category],
  publishedAt: '2025-03-01T00:00:00Z',
});

describe('email digests (api + worker processes, real SMTP server)', () => {
  let smtp: TestSmtpServer;
  let stack: Stack;
  let digestQueue: Queue;

  /** Confirms a new subscription through the link its confirmation mail carries; returns its id. */
  const subscribe = async (email: string, body: Record<string, unknown> = { categories: ['cs.LG'] }) => {
    const response = await stack.request('POST', '/v1/subscriptions', {
      body: { email, cadence: 'daily', ...body },
      headers: { 'content-type': 'application/json' },
    });
    expect(response).toMatchObject({ status: 202, body: { status: 'confirmation sent' } });
    const mail = await waitFor(async () => smtp.to(email)[0], `the confirmation mail to ${email}`);
    const link = /http:\/\/paperfeed\.test(\/v1\/subscriptions\/confirm\?token=[^\s]+)/.exec(mail.text ?? '')![1];
    expect((await stack.get(link)).status).toBe(200);
    const [row] = await stack.db.dataSource.query(`SELECT id FROM subscriptions WHERE email = $1`, [email]);
    return row.id as string;
  };
  /** Runs one subscription's digest for a period and waits for the job's result. */
  const send = async (subscriptionId: string, period: string) => {
    const job = await digestQueue.add('digest.send', { subscriptionId, period }, { attempts: 5, backoff: { type: 'fixed', delay: 300 } });
    return waitFor(
      async () => {
        const state = await job.getState();
        if (state === 'failed') return { failed: (await digestQueue.getJob(job.id!))!.failedReason };
        return state === 'completed' ? ((await digestQueue.getJob(job.id!))!.returnvalue as Record<string, unknown>) : undefined;
      },
      `digest ${period}`,
      60_000,
    );
  };

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    await smtp.start();
    stack = await startStack({ SMTP_URL: smtp.url, PUBLIC_URL, MAIL_FROM: 'paperfeed <digests@paperfeed.test>', JOB_LOCK: '2s' });
    digestQueue = new Queue('digest', { connection: { url: REDIS_URL } as never, prefix: stack.env.QUEUE_PREFIX });
    await stack.ingest([
      paper('lg-1', 'Graph neural networks', 'cs.LG'),
      paper('lg-2', 'Message passing', 'cs.LG'),
      paper('cv-1', 'Image segmentation', 'cs.CV'),
    ]);
  });

  afterAll(async () => {
    await digestQueue?.close();
    await stack?.stop();
    await smtp?.stop();
  });

  it('sends only a confirmation until the link is followed, and nothing twice for the same address', async () => {
    const email = 'pending@example.org';
    const response = await stack.request('POST', '/v1/subscriptions', {
      body: { email, cadence: 'daily', categories: ['cs.LG'] },
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(202);
    const confirmation = await waitFor(async () => smtp.to(email)[0], 'the confirmation mail');
    expect(confirmation.subject).toContain('confirm');
    const [row] = await stack.db.dataSource.query(`SELECT id, state FROM subscriptions WHERE email = $1`, [email]);
    expect(row.state).toBe('pending');
    expect(await send(row.id, '2030-01-01')).toMatchObject({ sent: false, reason: 'subscription not active' });
    expect(smtp.to(email)).toHaveLength(1);
    await stack.request('POST', '/v1/subscriptions', {
      body: { email, cadence: 'daily', categories: ['cs.LG'] },
      headers: { 'content-type': 'application/json' },
    });
    expect((await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM subscriptions WHERE email = $1`, [email]))[0].n).toBe(1);
  });

  /** Until no digest job waits or runs (the cadence schedulers keep delayed ones there for good). */
  const digestsIdle = () =>
    waitFor(async () => {
      const counts = await digestQueue.getJobCounts('waiting', 'active');
      return counts.waiting + counts.active === 0;
    }, 'the digest queue to be idle');

  it('mails an address at most once per 10 minutes and five times a day, whoever asks, and says the same either way', async () => {
    const email = 'target@example.org';
    const ask = (body: Record<string, unknown>) =>
      stack.request('POST', '/v1/subscriptions', { body: { email, ...body }, headers: { 'content-type': 'application/json' } });
    for (const body of [{ cadence: 'daily' }, { cadence: 'weekly' }, { cadence: 'daily', query: 'graphs' }, { cadence: 'daily' }]) {
      expect(await ask(body)).toMatchObject({ status: 202, body: { status: 'confirmation sent' } });
    }
    await waitFor(async () => smtp.to(email)[0], 'the first confirmation mail');
    await digestsIdle();
    expect(smtp.to(email)).toHaveLength(1);
    // Ten minutes later (the log's clock moved back): one more; after five in a day, none.
    await stack.db.dataSource.query(`UPDATE confirmation_mails SET sent_at = sent_at - interval '11 minutes' WHERE email = $1`, [email]);
    await ask({ cadence: 'weekly' });
    await waitFor(async () => smtp.to(email).length === 2, 'the second confirmation mail');
    await stack.db.dataSource.query(
      `INSERT INTO confirmation_mails (email, sent_at) SELECT $1, now() - interval '2 hours' FROM generate_series(1, 3)`,
      [email],
    );
    await stack.db.dataSource.query(`UPDATE confirmation_mails SET sent_at = sent_at - interval '11 minutes' WHERE email = $1`, [email]);
    expect(await ask({ cadence: 'daily', categories: ['cs.CV'] })).toMatchObject({ status: 202, body: { status: 'confirmation sent' } });
    await digestsIdle();
    expect(smtp.to(email)).toHaveLength(2);
  });

  it('answers 404 for unknown, used and expired confirm and unsubscribe tokens, and changes nothing', async () => {
    const stateOf = async (email: string) =>
      (await stack.db.dataSource.query(`SELECT state FROM subscriptions WHERE email = $1`, [email]))[0]?.state;
    expect((await stack.get('/v1/subscriptions/confirm?token=made-up')).status).toBe(404);
    expect((await stack.get('/v1/subscriptions/unsubscribe?token=made-up')).status).toBe(404);
    expect((await stack.request('POST', '/v1/subscriptions/unsubscribe?token=made-up', { headers: {} })).status).toBe(404);

    const email = 'tokens@example.org';
    await subscribe(email);
    const [row] = await stack.db.dataSource.query(`SELECT confirm_token, unsubscribe_token FROM subscriptions WHERE email = $1`, [email]);
    const used = await stack.get(`/v1/subscriptions/confirm?token=${row.confirm_token}`);
    expect(used.status).toBe(404);
    expect(used.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await stack.get(`/v1/subscriptions/unsubscribe?token=${row.unsubscribe_token}`)).status).toBe(200);
    expect(await stateOf(email)).toBe('unsubscribed');
    expect((await stack.get(`/v1/subscriptions/unsubscribe?token=${row.unsubscribe_token}`)).status).toBe(404);
    // A confirm link of the old subscription cannot bring it back.
    expect((await stack.get(`/v1/subscriptions/confirm?token=${row.confirm_token}`)).status).toBe(404);
    expect(await stateOf(email)).toBe('unsubscribed');

    const late = 'late@example.org';
    await stack.request('POST', '/v1/subscriptions', {
      body: { email: late, cadence: 'daily' },
      headers: { 'content-type': 'application/json' },
    });
    const mail = await waitFor(async () => smtp.to(late)[0], 'the confirmation mail');
    const token = /confirm\?token=([^\s]+)/.exec(mail.text ?? '')![1];
    await stack.db.dataSource.query(`UPDATE subscriptions SET confirm_expires_at = now() - interval '1 second' WHERE email = $1`, [late]);
    expect((await stack.get(`/v1/subscriptions/confirm?token=${token}`)).status).toBe(404);
    expect(await stateOf(late)).toBe('pending');
  });

  it('rejects bad addresses and cadences naming the field', async () => {
    for (const [body, field] of [
      [{ email: 'not-an-address', cadence: 'daily' }, 'email'],
      [{ email: 'a@example.org', cadence: 'hourly' }, 'cadence'],
    ] as const) {
      const response = await stack.request('POST', '/v1/subscriptions', { body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
    }
  });

  it('mails a digest with both parts, reasons, links from PUBLIC_URL and one-click unsubscribe headers — once per period', async () => {
    const email = 'reader@example.org';
    const id = await subscribe(email);
    expect(await send(id, '2030-01-01')).toMatchObject({ sent: true, papers: 2 });
    const digest = smtp.to(email).at(-1)!;
    expect(digest.subject).toBe('paperfeed: 2 new papers for you (daily)');
    expect(digest.text).toContain('Graph neural networks');
    expect(digest.text).toContain('Ada Lovelace, Alan Turing');
    expect(digest.text).toContain(`${PUBLIC_URL}/v1/papers/lg-1`); // no arXiv id: the link is ours
    expect(digest.text).toContain('Why: in cs.LG');
    expect(digest.text).not.toContain('Image segmentation');
    expect(digest.html).toContain('<a href=');
    // Folded header lines unfolded (RFC 5322 allows a line break before the value).
    const header = (name: string) => digest.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ');
    expect(header('list-unsubscribe')).toMatch(
      new RegExp(`^List-Unsubscribe: <${PUBLIC_URL}/v1/subscriptions/unsubscribe\\?token=[^>]+>$`),
    );
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    const mails = smtp.to(email).length;
    expect(await send(id, '2030-01-01')).toMatchObject({ sent: false });
    expect(await send(id, '2030-01-02')).toMatchObject({ sent: false, reason: 'nothing new' });
    expect(smtp.to(email)).toHaveLength(mails);

    await stack.ingest([paper('lg-3', 'Graph transformers', 'cs.LG')]);
    expect(await send(id, '2030-01-03')).toMatchObject({ sent: true, papers: 1 });
    const next = smtp.to(email).at(-1)!;
    expect(next.text).toContain('Graph transformers');
    expect(next.text).not.toContain('Message passing');

    const token = /unsubscribe\?token=([^\s>"]+)/.exec(next.text ?? '')![1];
    expect((await stack.request('POST', `/v1/subscriptions/unsubscribe?token=${token}`, { headers: {} })).status).toBe(200);
    await stack.ingest([paper('lg-4', 'Graph kernels', 'cs.LG')]);
    expect(await send(id, '2030-01-04')).toMatchObject({ sent: false, reason: 'subscription not active' });
  });

  it('retries a temporary SMTP refusal and stops at a permanent one', async () => {
    const flaky = await subscribe('flaky@example.org');
    smtp.plan('flaky@example.org', { reject: 451 });
    const before = smtp.to('flaky@example.org').length;
    expect(await send(flaky, '2030-02-01')).toMatchObject({ sent: true });
    expect(smtp.to('flaky@example.org')).toHaveLength(before + 1);

    const gone = await subscribe('gone@example.org');
    smtp.plan('gone@example.org', { reject: 550 });
    expect(await send(gone, '2030-02-01')).toMatchObject({ failed: expect.stringContaining('550') });
    expect((await stack.db.dataSource.query(`SELECT state FROM subscriptions WHERE id = $1`, [gone]))[0].state).toBe('bounced');
  });

  it('sends nothing more when the worker dies after the SMTP server took the message', async () => {
    const email = 'crash@example.org';
    const id = await subscribe(email);
    const worker = stack.worker;
    smtp.plan(email, { then: () => worker.child.kill('SIGKILL') });
    const job = await digestQueue.add(
      'digest.send',
      { subscriptionId: id, period: '2030-03-01' },
      { attempts: 5, backoff: { type: 'fixed', delay: 300 } },
    );
    await waitFor(async () => worker.child.exitCode !== null || worker.child.signalCode !== null, 'the worker to die');
    stack.setWorker(await startWorker(stack.env));
    const result = await waitFor(
      async () => ((await job.getState()) === 'completed' ? (await digestQueue.getJob(job.id!))!.returnvalue : undefined),
      'the rerun',
      30_000,
    );
    expect(result).toMatchObject({ sent: false });
    expect(smtp.to(email).filter((m) => m.subject?.startsWith('paperfeed: ') && !m.subject.includes('confirm'))).toHaveLength(1);
  });

  it('runs a cadence for every active subscription from the admin endpoint', async () => {
    const response = await stack.request('POST', '/v1/admin/digests/run', { body: { cadence: 'daily' } });
    expect(response.status).toBe(202);
    const job = await stack.job(response.body.jobId);
    expect(job.result).toMatchObject({ subscriptions: expect.any(Number) });
    expect((await stack.request('POST', '/v1/admin/digests/run', { body: { cadence: 'hourly' } })).status).toBe(400);
    expect(
      (
        await stack.request('POST', '/v1/admin/digests/run', {
          body: { cadence: 'daily' },
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
  });
});
