import { SourceServer } from '../support/source-server';
import { startWorker } from '../support/processes';
import { waitFor } from '../support/env';
import { Stack, startStack } from '../support/stack';

const INTERVAL_MS = 400;

/**
 * Each connector through the queue against a local server serving the fixtures and the real
 * papers: pagination, resumption tokens, 503 with Retry-After, a timeout, a malformed page, the
 * spacing of arXiv requests, and what ends up stored.
 */
describe('source ingestion (api + worker processes, local source server)', () => {
  let server: SourceServer;
  let stack: Stack;

  const harvest = async (body: unknown) => {
    const accepted = await stack.request('POST', '/v1/ingest/sources', { body });
    expect(accepted.status).toBe(202);
    expect(accepted.body.jobId).toMatch(/^harvest-/);
    return stack.job(accepted.body.jobId);
  };
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

  beforeAll(async () => {
    server = new SourceServer();
    await server.start();
    stack = await startStack({
      ARXIV_API_URL: server.url('/api/query'),
      ARXIV_OAI_URL: server.url('/oai'),
      HF_API_URL: server.url('/hf/api'),
      SOURCE_HOSTS: server.host,
      ARXIV_MIN_INTERVAL_MS: String(INTERVAL_MS),
      SOURCE_TIMEOUT_MS: '1000',
      JOB_LOCK: '2s',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
  });

  it('pages through the arXiv API, spacing requests as configured, and stores every paper once', async () => {
    const job = await harvest({ source: 'arxiv', query: 'cat:cs.CV', maxResults: 250 });
    expect(job).toMatchObject({ state: 'completed', queue: 'arxiv', progress: { pages: 3 } });
    expect(job.result).toMatchObject({ received: 250, created: 250, updated: 0, unchanged: 0, rejected: 0 });
    const requests = server.seen('/api/query');
    expect(requests).toHaveLength(3);
    for (const gap of gaps(requests.map((r) => r.at))) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - 20);
    expect(requests[0].headers['user-agent']).toMatch(/^paperfeed\/.+mailto:/);
    const first = server.papers[0];
    const stored = await stack.get(`/v1/papers/${first.id}`);
    expect(stored.body).toMatchObject({ id: first.id, authors: first.authors, categories: first.categories });
  });

  it('harvests OAI-PMH across a resumption token, waits out a 503 Retry-After, and stores each record once', async () => {
    // The first page is served normally; the token page first answers 503 with Retry-After: 1.
    server.fail('/oai', { pass: true }, { status: 503, headers: { 'retry-after': '1' }, body: 'busy' });
    const accepted = await stack.request('POST', '/v1/ingest/sources', {
      body: { source: 'arxiv-oai', set: 'cs', from: '2013-01-01', until: '2013-12-31' },
    });
    expect(accepted.status).toBe(202);
    const job = await stack.job(accepted.body.jobId);
    expect(job).toMatchObject({ state: 'completed', progress: { pages: 2 } });
    expect(job.result).toMatchObject({ received: 1003, rejected: 0 });
    expect(job.result.created + job.result.updated + job.result.unchanged).toBe(1003);
    const times = server.seen('/oai').map((r) => r.at);
    expect(times).toHaveLength(3);
    // After the 503, the retry waited at least the Retry-After second.
    expect(times[times.length - 1] - times[times.length - 2]).toBeGreaterThanOrEqual(950);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - 20);
    const rows = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM papers WHERE id IN ('1302.0649', '1412.8323')`);
    expect(rows[0].n).toBe(2);
  });

  it('retries a timed-out Hugging Face request, stores upvotes and extras, and updates upvotes on re-ingestion', async () => {
    server.fail('/hf/api/daily_papers', { delayMs: 1500 });
    const job = await harvest({ source: 'hf-daily', date: '2026-06-12' });
    expect(job).toMatchObject({ state: 'completed' });
    expect(job.result).toMatchObject({ received: 30, created: 30, rejected: 0 });
    expect(server.seen('/hf/api/daily_papers').length).toBe(2);
    const paper = await stack.get('/v1/papers/2606.12730');
    expect(paper.body).toMatchObject({ id: '2606.12730', upvotes: 7 });
    const [extras] = await stack.db.dataSource.query(
      `SELECT github_repo, submitted_by, daily_date::text AS day FROM papers WHERE id = $1`,
      ['2606.12730'],
    );
    expect(extras).toEqual({
      github_repo: 'https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs',
      submitted_by: 'RKocielnik',
      day: '2026-06-12',
    });

    // Unchanged list: the server answers 304 to our ETag; nothing changes.
    const again = await harvest({ source: 'hf-daily', date: '2026-06-12' });
    expect(again.state).toBe('completed');
    expect(server.seen('/hf/api/daily_papers').at(-1)!.headers['if-none-match']).toBe('"hf-7"');

    server.hfUpvotes = 42;
    const updated = await harvest({ source: 'hf-daily', date: '2026-06-12' });
    expect(updated.result).toMatchObject({ received: 30, created: 0, updated: 1, unchanged: 29 });
    expect((await stack.get('/v1/papers/2606.12730')).body.upvotes).toBe(42);
  });

  it('retries a malformed page and rejects bad records one by one', async () => {
    server.fail('/rss/cs.AI', { body: '<rss><channel><item><title>cut off' });
    const job = await harvest({ source: 'rss', url: server.url('/rss/cs.AI') });
    expect(job).toMatchObject({ state: 'completed' });
    expect(job.result).toMatchObject({ received: 3, created: 3, rejected: 0 });
    expect(server.seen('/rss/cs.AI').length).toBe(2);

    const broken = `<rss version="2.0"><channel><title>t</title>
      <item><title>Good</title><link>https://arxiv.org/abs/2604.11111</link><description>arXiv:2604.11111v2 Announce Type: new
Abstract: A fine abstract.</description><pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate></item>
      <item><title></title><link>https://arxiv.org/abs/2604.22222</link><description>Abstract: no title</description><pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate></item>
      <item><title>Bad date</title><link>https://arxiv.org/abs/2604.33333</link><description>Abstract: x</description><pubDate>someday</pubDate></item>
    </channel></rss>`;
    server.fail('/rss/cs.AI', { body: broken });
    const partial = await harvest({ source: 'rss', url: server.url('/rss/cs.AI') });
    expect(partial.result).toMatchObject({ received: 3, created: 1, rejected: 2 });
    expect(partial.result.rejections).toEqual([
      { id: '2604.22222', reason: 'title is missing' },
      { id: '2604.33333', reason: 'publication date is missing or invalid' },
    ]);
    expect((await stack.get('/v1/papers/2604.11111')).body).toMatchObject({ title: 'Good', abstract: 'A fine abstract.' });
  });

  it('refuses feeds off the allow-list, at the api and on redirects', async () => {
    const refused = await stack.request('POST', '/v1/ingest/sources', { body: { source: 'rss', url: 'http://example.com/feed' } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('url: host is not on the allow-list');
    const redirected = await harvest({ source: 'rss', url: server.url('/redirect-away') });
    expect(redirected.state).toBe('failed');
    expect(redirected.failedReason).toContain('http://example.com/rss: host is not on the allow-list');
  });

  it.each([
    [{ source: 'ftp' }, 'source must be one of'],
    [{ source: 'arxiv' }, 'query:'],
    [{ source: 'arxiv', query: 'cat:cs.LG', maxResults: 0 }, 'maxResults:'],
    [{ source: 'arxiv-oai', from: '2025-13-01' }, 'from:'],
    [{ source: 'hf-daily', date: 'today' }, 'date:'],
    [{ source: 'hf-daily', date: '2025-01-01', extra: true }, 'extra: is not a field'],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const before = await stack.count('harvests');
    const response = await stack.request('POST', '/v1/ingest/sources', { body });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(message);
    expect(await stack.count('harvests')).toBe(before);
  });

  it('creates, lists and deletes schedules', async () => {
    const created = await stack.request('POST', '/v1/ingest/schedules', {
      body: { every: '1h', ingest: { source: 'hf-daily', date: '2026-06-12' } },
    });
    expect(created.status).toBe(201);
    const cron = await stack.request('POST', '/v1/ingest/schedules', {
      body: { every: '0 6 * * 1-5', ingest: { source: 'arxiv', query: 'cat:cs.LG' } },
    });
    expect(cron.status).toBe(201);
    const list = await stack.request('GET', '/v1/ingest/schedules');
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: created.body.id, every: '3600s', ingest: { source: 'hf-daily', date: '2026-06-12' } }),
        expect.objectContaining({
          id: cron.body.id,
          cron: '0 6 * * 1-5',
          ingest: { source: 'arxiv', query: 'cat:cs.LG', maxResults: 100 },
        }),
      ]),
    );
    expect((await stack.request('DELETE', `/v1/ingest/schedules/${created.body.id}`)).status).toBe(204);
    expect((await stack.request('DELETE', `/v1/ingest/schedules/${created.body.id}`)).status).toBe(404);
    const after = await stack.request('GET', '/v1/ingest/schedules');
    expect(after.body.items.map((s: { id: string }) => s.id)).not.toContain(created.body.id);
    for (const [every, message] of [
      ['5s', 'at least 1m'],
      ['every day', 'neither a duration'],
      ['61 * * * *', 'not a valid cron'],
    ]) {
      const bad = await stack.request('POST', '/v1/ingest/schedules', {
        body: { every, ingest: { source: 'hf-daily', date: '2026-06-12' } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain(message);
    }
    expect(
      (await stack.request('POST', '/v1/ingest/schedules', { body: { every: '1h', ingest: { source: 'rss', url: 'http://evil.test/x' } } }))
        .body.message,
    ).toContain('ingest.url');
  });

  it('resumes a harvest after its worker is killed mid-page, storing each record once', async () => {
    const before = await stack.count('papers');
    // The token page answers slowly; the worker is killed while it waits for it.
    server.fail('/oai', { pass: true }, { delayMs: 800 });
    const accepted = await stack.request('POST', '/v1/ingest/sources', { body: { source: 'arxiv-oai', set: 'math' } });
    const pageRequests = () => server.seen('/oai').length;
    const seenBefore = pageRequests();
    await waitFor(async () => pageRequests() >= seenBefore + 2, 'the request for the second page');
    await stack.worker.stop('SIGKILL');
    stack.setWorker(await startWorker(stack.env));
    const job = await stack.job(accepted.body.jobId);
    expect(job).toMatchObject({ state: 'completed', progress: { pages: 2 } });
    // Received once per record although the second page was fetched twice.
    expect(job.result.received).toBe(1003);
    expect(server.seen('/oai').length).toBe(seenBefore + 3);
    expect(job.result.created + job.result.updated + job.result.unchanged + job.result.rejected).toBe(1003);
    // The same 1,003 records as the earlier OAI harvest: nothing new stored, nothing stored twice.
    expect(await stack.count('papers')).toBe(before);
  });
});
