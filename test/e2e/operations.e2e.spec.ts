import { Queue } from 'bullmq';
import { chromium } from 'playwright-core';
import { ADMIN_TOKEN, REDIS_URL } from '../support/env';
import { freePort, startApi, startWorker } from '../support/processes';
import { adminHeaders, Stack, startStack } from '../support/stack';

const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

describe('operations: metrics, queue administration, Bull Board, rate limits (api + worker processes)', () => {
  let stack: Stack;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    stack = await startStack({ METRICS_PORT: String(metricsPort) });
    await stack.ingest([
      {
        id: 'ops-1',
        title: 'Graph neural networks',
        abstract: 'Message passing on graphs.',
        authors: ['A'],
        publishedAt: '2025-03-01T00:00:00Z',
      },
      {
        id: 'ops-2',
        title: 'Robot grasping',
        abstract: 'A gripper for manipulation.',
        authors: ['B'],
        publishedAt: '2025-03-02T00:00:00Z',
      },
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
    // What operators watch: nothing waits for a vector, no harvest is under way, mail counters exist.
    expect(text).toMatch(/^paperfeed_embedding_backlog 0$/m);
    expect(text).toMatch(/^paperfeed_harvests_in_progress\{measure="active"\} 0$/m);
    expect(text).toMatch(/^paperfeed_mails_total\{kind="digest",outcome="sent"\} \d+$/m);
    expect(text).toMatch(/paperfeed_http_request_duration_seconds_count\{method="GET",route="\/v1\/papers",status="200"\} [1-9]/);
  });

  it("serves each worker's own metrics and health on METRICS_PORT", async () => {
    const worker = `http://127.0.0.1:${metricsPort}`;
    const text = await (await fetch(`${worker}/metrics`)).text();
    expect(text).toMatch(/paperfeed_worker_jobs_total\{queue="ingest",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/paperfeed_worker_job_duration_seconds_count\{queue="embed",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/paperfeed_worker_embeddings_computed_total [2-9]/);
    expect(text).toMatch(/paperfeed_worker_embeddings_per_second \d/);
    expect(text).toMatch(/paperfeed_worker_papers_ingested_total [2-9]/);
    expect(text).toMatch(/paperfeed_worker_process_resident_memory_bytes \d/);
    expect((await fetch(`${worker}/health/live`)).status).toBe(200);
    const ready = await fetch(`${worker}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up', jobs: 'up', model: 'up' } });
  });

  it('logs JSON lines with the request id or job id on each, and never a token', async () => {
    const response = await fetch(`${stack.base}/v1/papers?limit=1`, { headers: { 'x-request-id': 'trace-me-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    await fetch(`${stack.base}/v1/users/00000000-0000-4000-8000-000000000000/feed.atom?token=secret-feed-token-value`);
    await new Promise((r) => setTimeout(r, 100));
    // Every line the processes write is JSON (stderr is mixed in, where a native library may warn).
    const jsonLines = (output: string) =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
    const apiLines = jsonLines(stack.api.output());
    expect(apiLines.find((line) => line.requestId === 'trace-me-123')).toMatchObject({
      level: 'info',
      service: 'api',
      method: 'GET',
      url: '/v1/papers?limit=1',
      status: 200,
    });
    const atom = apiLines.find((line) => typeof line.url === 'string' && line.url.includes('feed.atom'));
    expect(atom.url).toContain('token=[redacted]');
    const workerLines = jsonLines(stack.worker.output());
    expect(workerLines.some((line) => line.service === 'worker' && line.jobId && line.queue)).toBe(true);
    for (const output of [stack.api.output(), stack.worker.output()]) {
      expect(output).not.toContain(ADMIN_TOKEN);
      expect(output).not.toContain('secret-feed-token-value');
    }
  });

  it('shuts a worker down gracefully on SIGTERM: the active job finishes, nothing is left stalled', async () => {
    const port = await freePort();
    const extra = await startWorker({ ...stack.env, WORKER_QUEUES: 'ingest', METRICS_PORT: String(port) });
    await stack.worker.stop(); // only the new worker takes ingest jobs now
    try {
      const papers = Array.from({ length: 1000 }, (_, i) => ({
        id: `sigterm-${i}`,
        title: `Paper ${i}`,
        abstract: 'Words '.repeat(200),
        authors: ['C'],
        publishedAt: '2025-04-01T00:00:00Z',
      }));
      const pushed = await stack.request('POST', '/v1/ingest/papers', { body: { papers } });
      expect(pushed.status).toBe(202);
      for (let i = 0; i < 200 && (await stack.request('GET', `/v1/jobs/${pushed.body.jobId}`)).body.state !== 'active'; i++)
        await new Promise((r) => setTimeout(r, 10));
      const exit = extra.stop('SIGTERM');
      // While draining it says it is not taking jobs.
      const during = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status,
        () => 'closed',
      );
      expect([503, 'closed']).toContain(during);
      await exit; // Nest re-raises the signal once its shutdown hooks have run
      // The last line ("drained") can be lost in the pipe when the re-raised signal ends the
      // process; the job's state below is what proves the drain.
      expect(extra.output()).toContain('draining: no new jobs');
      const job = (await stack.request('GET', `/v1/jobs/${pushed.body.jobId}`)).body;
      expect(job.state).toBe('completed');
      expect(await stack.count('papers')).toBeGreaterThanOrEqual(1000);
    } finally {
      await extra.stop();
      stack.setWorker(await startWorker(stack.env));
    }
  });

  it('sends security headers and no CORS headers', async () => {
    const response = await fetch(`${stack.base}/v1/papers`, { headers: { origin: 'https://elsewhere.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('lists queues, pauses and resumes them, and 404s an unknown one', async () => {
    const list = await stack.request('GET', '/v1/admin/queues');
    expect(list.status).toBe(200);
    expect(list.body.map((q: { name: string }) => q.name).sort()).toEqual(['arxiv', 'digest', 'embed', 'ingest', 'profile']);
    expect(list.body[0]).toEqual({
      name: expect.any(String),
      paused: false,
      counts: {
        waiting: expect.any(Number),
        active: expect.any(Number),
        delayed: expect.any(Number),
        completed: expect.any(Number),
        failed: expect.any(Number),
      },
    });
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
      const failed = async () =>
        (await stack.request('GET', '/v1/admin/queues')).body.find((q: { name: string }) => q.name === 'ingest').counts.failed;
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

  it('opens Bull Board in a headless browser: 401 without credentials, every queue with them', async () => {
    // Debian's chromium (.ci/run installs it); playwright-core drives it without downloading one.
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      // Without credentials: the 401 and its Basic challenge (which a headless browser cannot answer).
      const anonymous = await (await browser.newContext()).newPage();
      const denied = anonymous.waitForResponse(`${stack.base}/admin/queues`);
      await anonymous.goto(`${stack.base}/admin/queues`).catch(() => undefined);
      expect((await denied).status()).toBe(401);
      expect(await (await denied).headerValue('www-authenticate')).toMatch(/^Basic/);
      const board = await (await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN_TOKEN } })).newPage();
      expect((await board.goto(`${stack.base}/admin/queues`))!.status()).toBe(200);
      // The dashboard is a script-rendered page: the names appear once it has fetched the queues.
      for (const name of ['arxiv', 'digest', 'embed', 'ingest', 'profile']) {
        await board.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
      }
    } finally {
      await browser.close();
    }
  });

  it('limits requests per verified user and per IP, shared by api replicas; wrong tokens count against their IP and get 401; the admin is exempt', async () => {
    const limited = { ...stack.env, RATE_LIMIT_PER_MINUTE: '5', QUEUE_PREFIX: `${stack.env.QUEUE_PREFIX}-limits` };
    const [one, two] = [await startApi(limited), await startApi(limited)];
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${(i % 2 ? two : one).url}/v1/papers`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const refused = await fetch(`${one.url}/v1/papers`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      // Made-up tokens buy no budget: they count against the IP (already spent), and a wrong token is a 401 anyway.
      const invented = await fetch(`${two.url}/v1/papers`, { headers: { authorization: 'Bearer someone-else' } });
      expect(invented.status).toBe(429);
      // A verified user has a budget of their own, the same on every replica.
      const user = (await (await fetch(`${one.url}/v1/users`, { method: 'POST', headers: adminHeaders, body: '{}' })).json()) as {
        token: string;
      };
      const asUser = { authorization: `Bearer ${user.token}` };
      const userStatuses = [];
      for (let i = 0; i < 6; i++) userStatuses.push((await fetch(`${(i % 2 ? two : one).url}/v1/papers`, { headers: asUser })).status);
      expect(userStatuses).toEqual([200, 200, 200, 200, 200, 429]);
      for (let i = 0; i < 8; i++) expect((await fetch(`${two.url}/v1/papers`, { headers: adminHeaders })).status).toBe(200);
      expect((await fetch(`${one.url}/health/live`)).status).toBe(200);
    } finally {
      await one.app.stop();
      await two.app.stop();
    }
  });

  it('refuses a wrong bearer token with 401 on every route, public ones too', async () => {
    const wrong = await fetch(`${stack.base}/v1/papers`, { headers: { authorization: 'Bearer pf_not-a-token' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('answers 503 (not 500) on admin routes while Redis is down, and still serves /metrics', async () => {
    const closed = await freePort();
    const { app, url } = await startApi({ ...stack.env, REDIS_URL: `redis://127.0.0.1:${closed}` });
    try {
      for (const [method, route] of [
        ['GET', '/v1/admin/queues'],
        ['POST', '/v1/admin/queues/embed/pause'],
        ['POST', '/v1/admin/queues/embed/retry-failed'],
      ]) {
        const response = await fetch(`${url}${route}`, { method, headers: adminHeaders });
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      }
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/paperfeed_embedding_backlog \d+/);
    } finally {
      await app.stop();
    }
  });
});
