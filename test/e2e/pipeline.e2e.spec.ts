import { Queue } from 'bullmq';
import { startEmbeddedPostgres } from '@paperfeed/db';
import { writeTestModel } from '../../tools/make-test-model';
import { loadArxivPapers, REDIS_URL, tempDir, toPushedPaper, waitFor } from '../support/env';
import { exitOf, spawnBuilt, startApi, startWorker } from '../support/processes';
import { adminHeaders, Stack, startStack } from '../support/stack';

/**
 * The whole pipeline as a client drives it: a real api process and a real worker process, real
 * Redis, the embedded Postgres with pgvector, the test model through transformers.js.
 */
describe('push ingestion → embedding → similar papers (api + worker processes)', () => {
  let stack: Stack;
  let ingestQueue: Queue;
  let embedQueue: Queue;

  const admin = adminHeaders;
  const post = (path: string, body: unknown, headers: Record<string, string> = admin) => stack.request('POST', path, { body, headers });
  const getJson = (path: string, headers: Record<string, string> = {}) => stack.get(path, headers);
  const count = (table: string) => stack.count(table);
  const waitForJob = (jobId: string) => stack.job(jobId);
  const waitUntilIndexed = (ids: string[]) =>
    waitFor(async () => {
      const rows = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM paper_embeddings WHERE paper_id = ANY($1)`, [ids]);
      return rows[0].n === ids.length;
    }, `${ids.length} papers to be indexed`);

  const real = loadArxivPapers(150).map(toPushedPaper);

  beforeAll(async () => {
    stack = await startStack();
    ingestQueue = new Queue('ingest', { connection: { url: REDIS_URL } as never, prefix: stack.env.QUEUE_PREFIX });
    embedQueue = new Queue('embed', { connection: { url: REDIS_URL } as never, prefix: stack.env.QUEUE_PREFIX });
  });

  afterAll(async () => {
    for (const queue of [ingestQueue, embedQueue]) {
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
    }
    await stack?.stop();
  });

  it('requires the admin token for ingestion and jobs', async () => {
    const none = await post('/v1/ingest/papers', { papers: [real[0]] }, { 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    const wrong = await post('/v1/ingest/papers', { papers: [real[0]] }, { ...admin, authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect((await getJson('/v1/jobs/whatever')).status).toBe(401);
  });

  it('rejects an invalid batch naming the paper index and field, and queues nothing', async () => {
    const before = await ingestQueue.getJobCounts();
    const bad = [real[0], real[1], { ...real[2], title: 'x'.repeat(1001) }, { ...real[3], publishedAt: 'soon' }];
    const response = await post('/v1/ingest/papers', { papers: bad });
    expect(response.status).toBe(400);
    const body = response.body;
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.message).toContain('papers.2.title');
    expect(body.message).toContain('papers.3.publishedAt');
    expect(await ingestQueue.getJobCounts()).toEqual(before);
    expect(await count('ingest_batches')).toBe(0);
    expect(await count('papers')).toBe(0);
  });

  it.each([
    ['an empty batch', { papers: [] }, 'papers'],
    ['too many papers', { papers: Array.from({ length: 1001 }, () => real[0]) }, 'papers'],
    ['a bad id', { papers: [{ ...real[0], id: '../etc/passwd' }] }, 'papers.0.id'],
    ['an unknown field', { papers: [real[0]], extra: 1 }, 'extra'],
    ['a wrong type', { papers: [{ ...real[0], authors: 'Ada' }] }, 'papers.0.authors'],
  ])('answers 400 for %s', async (_, body, field) => {
    const response = await post('/v1/ingest/papers', body);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(field);
    expect(await count('ingest_batches')).toBe(0);
  });

  it('answers 400 for malformed JSON and 413 for an oversized body, in the error format', async () => {
    const malformed = await post('/v1/ingest/papers', '{"papers": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    const huge = await post('/v1/ingest/papers', JSON.stringify({ papers: [{ ...real[0], abstract: 'x'.repeat(33 * 1024 * 1024) }] }));
    expect(huge.status).toBe(413);
    expect(huge.body.statusCode).toBe(413);
  });

  it('stores and indexes a batch of real papers, then serves similar papers', async () => {
    const response = await post('/v1/ingest/papers', { papers: real });
    expect(response.status).toBe(202);
    const { jobId } = response.body;
    const job = await waitForJob(jobId);
    expect(job).toMatchObject({ id: jobId, queue: 'ingest', state: 'completed' });
    expect(job.result).toMatchObject({ received: 150, created: 150, updated: 0, unchanged: 0, rejected: 0 });
    await waitUntilIndexed(real.map((p) => p.id));

    const paper = await getJson(`/v1/papers/${real[0].id}`);
    expect(paper.status).toBe(200);
    expect(paper.body).toEqual({
      id: real[0].id,
      title: real[0].title,
      abstract: real[0].abstract.trim(),
      authors: real[0].authors,
      categories: real[0].categories,
      publishedAt: new Date(real[0].publishedAt).toISOString(),
      url: `https://arxiv.org/abs/${real[0].id}`,
      upvotes: 0,
      indexed: true,
    });

    const similar = await getJson(`/v1/papers/${real[0].id}/similar?limit=10`);
    expect(similar.status).toBe(200);
    const items = similar.body.items as { paper: { id: string; indexed: boolean }; score: number }[];
    expect(items).toHaveLength(10);
    expect(items.map((i) => i.paper.id)).not.toContain(real[0].id);
    expect(new Set(items.map((i) => i.paper.id)).size).toBe(10);
    for (let i = 1; i < items.length; i++) expect(items[i - 1].score).toBeGreaterThanOrEqual(items[i].score);
    expect(items.every((i) => i.paper.indexed)).toBe(true);

    expect((await getJson(`/v1/papers/${real[0].id}/similar?limit=3`)).body.items).toHaveLength(3);
    expect((await getJson(`/v1/papers/${real[0].id}/similar?limit=0`)).status).toBe(400);
    expect((await getJson(`/v1/papers/${real[0].id}/similar?limit=101`)).status).toBe(400);
  });

  it('answers 404 for an unknown paper and 409 while a paper is not indexed', async () => {
    expect((await getJson('/v1/papers/2501.99999')).status).toBe(404);
    const unknown = await getJson('/v1/papers/2501.99999/similar');
    expect({ status: unknown.status, body: unknown.body }).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: expect.stringContaining('2501.99999') },
    });

    // Punctuation only: the model gives no usable vector, so the paper is stored but never indexed.
    const response = await post('/v1/ingest/papers', {
      papers: [{ id: 'no-words-1', title: '???', abstract: '!!! ... ???', authors: [], publishedAt: '2025-03-01T00:00:00Z' }],
    });
    const job = await waitForJob(response.body.jobId);
    expect(job.result.created).toBe(1);
    const embedJob = await waitFor(async () => {
      const done = await embedQueue.getJobs(['completed']);
      return done.find((j) => j.name === 'embed.papers' && (j.data as { paperIds: string[] }).paperIds.includes('no-words-1'));
    }, 'its embed job to finish');
    expect(embedJob.returnvalue).toMatchObject({ embedded: 0, degenerate: 1 });
    const paper = await getJson('/v1/papers/no-words-1');
    expect(paper.body.indexed).toBe(false);
    const conflict = await getJson('/v1/papers/no-words-1/similar');
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('updates one record when a paper comes again, and re-embeds only changed text', async () => {
    const original = real[5];
    const embeddedAt = async () =>
      (await stack.db.dataSource.query(`SELECT created_at FROM paper_embeddings WHERE paper_id = $1`, [original.id]))[0]?.created_at as
        Date | undefined;
    const first = await embeddedAt();
    expect(first).toBeDefined();

    // A new version with the same text: one row, version bumped, vector kept.
    const sameText = await post('/v1/ingest/papers', { papers: [{ ...original, id: `${original.id}v2` }] });
    const sameJob = await waitForJob(sameText.body.jobId);
    expect(sameJob.result).toMatchObject({ received: 1, created: 0, updated: 1, unchanged: 0 });
    const rows = await stack.db.dataSource.query(`SELECT id, version FROM papers WHERE id LIKE $1`, [`${original.id}%`]);
    expect(rows).toEqual([{ id: original.id, version: 2 }]);
    expect(await embeddedAt()).toEqual(first);

    // Exactly the same again: unchanged.
    const again = await post('/v1/ingest/papers', { papers: [{ ...original, id: `${original.id}v2` }] });
    expect((await waitForJob(again.body.jobId)).result).toMatchObject({ unchanged: 1 });

    // Changed abstract: a new vector replaces the old one.
    const edited = await post('/v1/ingest/papers', {
      papers: [{ ...original, id: `${original.id}v3`, abstract: 'Robot grasping with a gripper for manipulation.' }],
    });
    expect((await waitForJob(edited.body.jobId)).result).toMatchObject({ updated: 1 });
    await waitFor(async () => {
      const at = await embeddedAt();
      return at !== undefined && at.getTime() !== first!.getTime();
    }, 'the edited paper to be re-embedded');
    expect(await count('papers')).toBe(151);
  });

  it("re-embeds a text that comes back (A → B → A): the stored vector is A's again", async () => {
    const paper = {
      id: 'aba-1',
      title: 'Graph neural networks',
      abstract: 'Message passing on graphs.',
      authors: ['A'],
      publishedAt: '2025-03-01T00:00:00Z',
    };
    const storedHash = async () =>
      (
        await stack.db.dataSource.query(
          `SELECT e.text_hash = p.text_hash AS current, e.text_hash FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id WHERE p.id = 'aba-1'`,
        )
      )[0];
    const hashes: string[] = [];
    for (const abstract of [paper.abstract, 'Robot grasping with a gripper.', paper.abstract]) {
      const pushed = await post('/v1/ingest/papers', { papers: [{ ...paper, abstract }] });
      await waitForJob(pushed.body.jobId);
      const current = await waitFor(async () => ((await storedHash())?.current ? storedHash() : undefined), `the vector of "${abstract}"`);
      hashes.push(current.text_hash);
    }
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(hashes[2]).toBe(hashes[0]);
    await stack.db.dataSource.query(`DELETE FROM papers WHERE id = 'aba-1'`); // the tests below count papers
  });

  it('lists papers newest first with cursors that neither repeat nor skip', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await getJson(`/v1/papers?limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(151);
    expect(new Set(seen).size).toBe(151);
    const day = real[0].publishedAt.slice(0, 10);
    const byDay = await getJson(`/v1/papers?date=${day}&category=${real[0].categories[0]}&limit=100`);
    expect(byDay.body.items.length).toBeGreaterThan(0);
    for (const p of byDay.body.items) {
      expect(p.publishedAt.slice(0, 10)).toBe(day);
      expect(p.categories).toContain(real[0].categories[0]);
    }
    expect((await getJson('/v1/papers?date=2025-02-30')).status).toBe(400);
    expect((await getJson('/v1/papers?cursor=bogus')).status).toBe(400);
    expect((await getJson('/v1/papers?sort=sideways')).status).toBe(400);
  });

  it('reports unknown jobs as 404 and documents every route in OpenAPI', async () => {
    expect((await getJson('/v1/jobs/no-such-job', admin)).status).toBe(404);
    const doc = await getJson('/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/ingest/papers',
        '/v1/jobs/{jobId}',
        '/v1/papers',
        '/v1/papers/{id}',
        '/v1/papers/{id}/similar',
        '/health/live',
        '/health/ready',
      ]),
    );
    expect((await getJson('/health/ready')).body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });

  it('answers 503 and writes nothing when Redis is down', async () => {
    const { app, url } = await startApi({ ...stack.env, REDIS_URL: 'redis://127.0.0.1:1' });
    const batchesBefore = await count('ingest_batches');
    try {
      const response = await fetch(`${url}/v1/ingest/papers`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ papers: [real[0]] }),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { statusCode: number }).statusCode).toBe(503);
      expect(await count('ingest_batches')).toBe(batchesBefore);
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({ database: 'up', redis: expect.stringMatching(/^down/) });
    } finally {
      await app.stop();
    }
  });

  it('stops at startup with one line naming a bad setting', async () => {
    const app = spawnBuilt('apps/api/src/main.js', { ...stack.env, PORT: 'eighty' });
    const { code, output } = await exitOf(app);
    expect(code).toBe(78);
    expect(output.trim()).toBe('Invalid configuration: PORT must be a whole number, got "eighty"');
  });

  it('refuses a Postgres without pgvector at startup, saying so', async () => {
    const plainPostgres = await startEmbeddedPostgres({ pgvector: false });
    try {
      const app = spawnBuilt('apps/api/src/main.js', { ...stack.env, DATABASE_URL: plainPostgres.url });
      const { code, output } = await exitOf(app);
      expect(code).toBe(78);
      expect(output).toMatch(/Postgres without the pgvector extension/);
    } finally {
      await plainPostgres.stop();
    }
  });

  // Last: it replaces the worker.
  it('switches models without a migration: a worker with another model re-embeds everything in its own space', async () => {
    await stack.worker.stop();
    const otherModel = tempDir('model-16d');
    writeTestModel(otherModel, 16);
    const otherEnv = { ...stack.env, EMBEDDING_MODEL: otherModel };
    stack.setWorker(await startWorker(otherEnv));
    const { app: otherApi, url: otherUrl } = await startApi(otherEnv);
    try {
      // Reconciliation at worker start finds every paper without a vector in the new space.
      const spaces = await waitFor(async () => {
        const rows: { id: number; dimensions: number }[] = await stack.db.dataSource.query(
          `SELECT id, dimensions FROM embedding_spaces ORDER BY id`,
        );
        return rows.length === 2 ? rows : undefined;
      }, 'the new embedding space');
      expect(spaces.map((s) => s.dimensions)).toEqual([32, 16]);
      await waitFor(async () => {
        const rows = await stack.db.dataSource.query(`SELECT count(*)::int AS n FROM paper_embeddings WHERE space_id = $1`, [spaces[1].id]);
        return rows[0].n === 150; // every paper but the one with no words
      }, 'all papers to be embedded by the new model');

      const similar = await fetch(`${otherUrl}/v1/papers/${real[0].id}/similar?limit=5`);
      expect(similar.status).toBe(200);
      const items = ((await similar.json()) as { items: { paper: { id: string }; score: number }[] }).items;
      expect(items).toHaveLength(5);
      expect(items.map((i) => i.paper.id)).not.toContain(real[0].id);
      // The api configured with the old model still answers from the old space.
      expect((await getJson(`/v1/papers/${real[0].id}/similar?limit=5`)).status).toBe(200);
    } finally {
      await otherApi.stop();
    }
  });
});
