import { randomUUID } from 'node:crypto';
import { waitFor } from '../support/env';
import { AppProcess, startApi, startWorker } from '../support/processes';
import { TestSmtpServer } from '../support/smtp';
import { adminHeaders, bearer, Stack, startStack } from '../support/stack';

/**
 * Scaling out on one database: two api replicas and two workers (as Compose runs them) behind the
 * same database and Redis. What must stay exact whichever replica a request reaches: upvotes,
 * per-user rate limits, and digests (one per subscription and period).
 */
describe('api replicas and workers on one database', () => {
  let smtp: TestSmtpServer;
  let stack: Stack;
  let second: { app: AppProcess; url: string };
  let extraWorker: AppProcess;
  const bases = () => [stack.base, second.url];

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    await smtp.start();
    stack = await startStack({ SMTP_URL: smtp.url, RATE_LIMIT_PER_MINUTE: '30' });
    second = await startApi(stack.env);
    extraWorker = await startWorker(stack.env);
    await stack.ingest(
      Array.from({ length: 6 }, (_, i) => ({
        id: `replica-${i}`,
        title: `Graph networks ${i}`,
        abstract: 'Message passing on graphs.',
        authors: ['A'],
        categories: ['cs.LG'],
        publishedAt: '2025-03-01T00:00:00Z',
      })),
    );
  }, 120_000);

  afterAll(async () => {
    await extraWorker?.stop();
    await second?.app.stop();
    await stack?.stop();
    await smtp?.stop();
  });

  const createUser = async () => (await stack.request('POST', '/v1/users', { body: {} })).body as { id: string; token: string };

  it('counts one upvote per user across replicas, under concurrency and repeats', async () => {
    const users = await Promise.all(Array.from({ length: 24 }, createUser));
    const vote = (token: string, i: number) =>
      fetch(`${bases()[i % 2]}/v1/papers/replica-0/upvote`, { method: 'POST', headers: bearer(token) });
    const answers = await Promise.all([...users, ...users].map((user, i) => vote(user.token, i)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect((await stack.get('/v1/papers/replica-0')).body.upvotes).toBe(24);
    expect((await fetch(`${second.url}/v1/papers/replica-0`).then((r) => r.json() as Promise<{ upvotes: number }>)).upvotes).toBe(24);
  });

  it("holds one rate-limit budget per user whichever replica the user's requests reach", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++)
      statuses.push((await fetch(`${bases()[i % 2]}/v1/papers?limit=1`, { headers: bearer(user.token) })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });

  it('sends each subscription one digest per period when both replicas and both workers run the cadence at once', async () => {
    const emails = Array.from({ length: 8 }, (_, i) => `replica-${i}@example.org`);
    for (const email of emails) {
      await stack.db.dataSource.query(
        `INSERT INTO subscriptions (id, email, cadence, categories, content_key, state, confirm_token, unsubscribe_token)
         VALUES ($1, $2, 'daily', '{cs.LG}', 'replicas', 'active', $3, $4)`,
        [randomUUID(), email, randomUUID(), randomUUID()],
      );
    }
    const runs = await Promise.all(
      [...bases(), ...bases()].map((base) =>
        fetch(`${base}/v1/admin/digests/run`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ cadence: 'daily' }) }),
      ),
    );
    expect(runs.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const jobs = await Promise.all(runs.map(async (r) => ((await r.json()) as { jobId: string }).jobId));
    for (const jobId of jobs) await stack.job(jobId);
    await waitFor(async () => emails.every((email) => smtp.to(email).length > 0), 'a digest to every subscriber', 60_000);
    await waitFor(async () => {
      const [row] = await stack.db.dataSource.query(
        `SELECT count(*)::int AS n FROM digests d JOIN subscriptions s ON s.id = d.subscription_id WHERE s.content_key = 'replicas' AND d.state = 'sent'`,
      );
      return row.n === emails.length;
    }, 'every digest recorded as sent');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // time for a duplicate to arrive, were there one
    for (const email of emails) expect(smtp.to(email)).toHaveLength(1);
  }, 90_000);
});
