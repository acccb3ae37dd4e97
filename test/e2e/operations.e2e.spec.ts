import { Queue } from 'bullmq';
import { ADMIN_TOKEN, REDIS_URL } from '../support/env';
import { startApi } from '../support/processes';
import { adminHeaders, Stack, startStack } from '../support/stack';

const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

describe('operations: metrics, queue administration, Bull Board, rate limits (api + worker processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.ingest([
      { id: 'ops-1', title: 'Graph neural networks', abstract: 'Message passing on graphs.', authors: ['A'], publishedAt: '2025-03-01T00:00:00Z' },
      { id: 'ops-2', title: 'Robot grasping', abstract: 'A gripper for manipulation.', authors: ['B'], publishedAt: '2025-03-02T00:00:00Z' },
    ]);
  });

  afterAll(() => stack?.stop());

  it('exposes Prometheus metrics: jobs per queue and state, job durations, papers ingested, embeddings computed, HTTP durations', async () => {
    await stack.get('/v1/papers');
    const metrics = await stack.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = metrics.body as string;
    expect(text).toMatch(/paperfeed_jobs\{queue="ingest",state="completed"\} [1-9]/);
    expect(text).toMatch(/paperfeed_jobs\{queue="embed",state="waiting"\} \d+/);
    expect(text).toMatch(/paperfeed_job_duration_seconds_count\{queue="ingest",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/paperfeed_job_duration_seconds_bucket\{queue="embed",outcome="completed",le="\+Inf"\} [1-9]/);
    expect(text).toMatch(/paperfeed_papers_ingested_total [2-9]/);
    expect(text).toMatch(/paperfeed_embeddings_computed_total [2-9]/);
    expect(text).toMatch(/paperfeed_http_request_duration_seconds_count\{method="GET",route="\/v1\/papers",status="200"\} [1-9]/);
  });

  it('sends security headers and no CORS headers', async () => {
    const response = await fetch(`${stack.base}/v1/papers`, { headers: { origin: 'https://elsewhere.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('lists queues, pauses and resumes them, and 404s an unknown one', async () => {
    const list = await stack.request('GET', '/v1/admin/queues');
    expect(list.status).toBe(200);
    expect(list.body.map((q: { name: string }) => q.name).sort()).toEqual(['arxiv', 'digest', 'embed', 'ingest', 'profile']);
    expect(list.body[0]).toEqual({ name: expect.any(String), paused: false, counts: { waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number) } });
    expect((await stack.request('POST', '/v1/admin/queues/embed/pause')).body).toMatchObject({ name: 'embed', paused: true });
    expect((await stack.request('GET', '/v1/admin/queues')).body.find((q: { name: string }) => q.name === 'embed').paused).toBe(true);
    expect((await stack.request('POST', '/v1/admin/queues/embed/resume')).body).toMatchObject({ name: 'embed', paused: false });
    expect((await stack.request('POST', '/v1/admin/queues/nope/pause')).status).toBe(404);
    expect((await stack.request('GET', '/v1/admin/queues', { headers: {} })).status).toBe(401);
  });

  it('moves failed jobs back to waiting with retry-failed', async () => {
    const ingest = new Queue('ingest', { connection: { url: REDIS_URL } as never, prefix: stack.env.QUEUE_PREFIX });
    try {
      await ingest.add('ingest.papers', { batchId: '00000000-0000-0000-0000-000000000000' }, { attempts: 1 });
      const failed = async () => (await stack.request('GET', '/v1/admin/queues')).body.find((q: { name: string }) => q.name === 'ingest').counts.failed;
      for (let i = 0; i < 100 && (await failed()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await failed()).toBe(1);
      const retried = await stack.request('POST', '/v1/admin/queues/ingest/retry-failed');
      expect(retried.body).toMatchObject({ name: 'ingest', retried: 1 });
    } finally {
      await ingest.close();
    }
  });

  it('serves Bull Board to the admin token as bearer or basic-auth password, and asks for credentials otherwise', async () => {
    const none = await fetch(`${stack.base}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(`${stack.base}/admin/queues`, { headers: basic('wrong') })).status).toBe(401);
    const page = await fetch(`${stack.base}/admin/queues`, { headers: basic(ADMIN_TOKEN) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`${stack.base}/admin/queues/api/queues`, { headers: adminHeaders });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['arxiv', 'digest', 'embed', 'ingest', 'profile']);
  });

  it('limits requests per token and per IP with 429 and Retry-After; the admin is exempt', async () => {
    const { app, url } = await startApi({ ...stack.env, RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${url}/v1/papers`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await fetch(`${url}/v1/papers`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      // Another client (a token) has its own budget; the admin has none.
      expect((await fetch(`${url}/v1/papers`, { headers: { authorization: 'Bearer someone-else' } })).status).toBe(200);
      for (let i = 0; i < 8; i++) expect((await fetch(`${url}/v1/papers`, { headers: adminHeaders })).status).toBe(200);
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
