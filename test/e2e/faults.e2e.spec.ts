import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { createDataSource, EmbeddedPostgres, runMigrations, startEmbeddedPostgres } from '@paperfeed/db';
import { embedJobId } from '@paperfeed/ingest';
import { adminHeaders } from '../support/stack';
import { loadArxivPapers, testEnv, toPushedPaper, waitFor } from '../support/env';
import { AppProcess, freePort, startApi, startWorker } from '../support/processes';

/**
 * Faults with real processes: a worker killed mid-batch, Redis killed and restarted from its
 * append-only file while jobs wait, the database stopped under a running api and worker.
 */
describe('faults (real processes)', () => {
  const papers = loadArxivPapers(12_000).slice(0, 240).map(toPushedPaper);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-faults-'));
  let database: EmbeddedPostgres;
  let databasePort: number;
  let redis: ChildProcess;
  let redisPort: number;
  let env: Record<string, string>;
  let api: { app: AppProcess; url: string };
  let worker: AppProcess | undefined;

  const startRedis = async () => {
    // appendfsync always: every acknowledged write is on disk before Redis answers.
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', tmp, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      { stdio: 'ignore' },
    );
    await waitFor(
      async () =>
        new Promise<boolean>((resolve) => {
          const probe = spawn('redis-cli', ['-p', String(redisPort), 'ping']);
          probe.once('exit', (code) => resolve(code === 0));
        }),
      'redis to answer',
    );
  };
  const startDatabase = async () => {
    // The same port and password each time, as `npm start`'s supervisor restarts it.
    database = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: databasePort, password: 'faults-test-password' });
  };
  const request = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${api.url}${route}`, {
      method,
      headers: adminHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  const count = async (sql: string) => Number((await database.db.query<{ n: number }>(sql)).rows[0].n);

  beforeAll(async () => {
    [databasePort, redisPort] = [await freePort(), await freePort()];
    await startDatabase();
    await startRedis();
    const migrator = await createDataSource(database.url, { poolSize: 4 }).initialize();
    await runMigrations(migrator);
    await migrator.destroy();
    // A short lock: a killed worker's job is taken over within seconds; reconciliation every few seconds.
    env = testEnv(database.url, { REDIS_URL: `redis://127.0.0.1:${redisPort}`, JOB_LOCK: '3s', RECONCILE_EVERY: '5s' });
    api = await startApi(env);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.app.stop();
    redis?.kill('SIGKILL');
    await database?.stop();
  });

  it('indexes every paper exactly once when the worker is killed (kill -9) mid-batch', async () => {
    worker = await startWorker(env);
    const pushed = await request('POST', '/v1/ingest/papers', { papers: papers.slice(0, 160) });
    expect(pushed.status).toBe(202);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM paper_embeddings`)) >= 16, 'some vectors');
    await worker.stop('SIGKILL');
    const atKill = await count(`SELECT count(*)::int AS n FROM paper_embeddings`);
    expect(atKill).toBeLessThan(160);
    worker = await startWorker(env);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM paper_embeddings`)) === 160, 'all 160 vectors', 60_000);
    expect(await count(`SELECT count(DISTINCT paper_id)::int AS n FROM paper_embeddings`)).toBe(160);
    expect(await count(`SELECT count(*)::int AS n FROM papers`)).toBe(160);
  }, 90_000);

  it('loses no queued job when Redis is killed and restarted from its append-only file', async () => {
    await worker!.stop(); // the jobs wait in Redis
    worker = undefined;
    for (let i = 0; i < 4; i++) {
      const pushed = await request('POST', '/v1/ingest/papers', { papers: papers.slice(160 + i * 20, 180 + i * 20) });
      expect(pushed.status).toBe(202);
    }
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    // While Redis is down the api says so, and refuses work it could not queue.
    const ready = await request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toMatch(/^down/);
    const refused = await request('POST', '/v1/ingest/papers', { papers: papers.slice(0, 1) });
    expect(refused.status).toBe(503);
    await startRedis();
    await waitFor(async () => (await request('GET', '/health/ready')).status === 200, 'the api to see Redis again');
    worker = await startWorker(env);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM papers`)) === 240, 'the 80 queued papers', 60_000);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM paper_embeddings`)) === 240, 'their vectors', 60_000);
  }, 90_000);

  it('answers 503 while the database is down and recovers without a restart', async () => {
    await database.stop();
    const ready = await waitFor(async () => {
      const answer = await request('GET', '/health/ready');
      return answer.status === 503 ? answer : undefined;
    }, 'ready to report the database down');
    expect(ready.body.checks.database).toMatch(/^down/);
    expect(ready.body.checks.redis).toBe('up');
    const write = await request('POST', '/v1/users', { name: 'while down' });
    expect(write.status).toBe(503);
    expect(write.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect((await request('GET', '/v1/papers')).status).toBe(503);
    await startDatabase();
    await waitFor(async () => (await request('GET', '/health/ready')).status === 200, 'the api to reconnect', 60_000);
    const created = await request('POST', '/v1/users', { name: 'after' });
    expect(created.status).toBe(201);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE name = 'while down'`)).toBe(0);
    expect((await request('GET', '/v1/papers?limit=1')).status).toBe(200);
  }, 90_000);

  const failedJobs = async () => {
    let failed = 0;
    for (const name of ['ingest', 'embed']) {
      const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redisPort }, prefix: env.QUEUE_PREFIX });
      failed += (await queue.getJobCounts('failed')).failed ?? 0;
      await queue.close();
    }
    return failed;
  };

  it('heals a database outage with work in flight: nothing is dead-lettered, every paper is indexed without an operator', async () => {
    worker ??= await startWorker(env);
    const pushed = await request('POST', '/v1/ingest/papers', {
      papers: papers.slice(200, 240).map((p, i) => ({ ...p, id: `outage-${i}`, title: `${p.title} (outage ${i})` })),
    });
    expect(pushed.status).toBe(202);
    await database.stop();
    // Longer than the whole retry budget of the old policy (5 attempts, 2 s doubling: ≤ 30 s).
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    await startDatabase();
    await waitFor(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id WHERE p.id LIKE 'outage-%'`)) ===
        40,
      'the 40 papers pushed before the outage to be indexed',
      120_000,
    );
    expect(await failedJobs()).toBe(0);
  }, 180_000);

  it('re-queues an embed job that died for good (its retries spent during an outage) at the next reconciliation', async () => {
    worker ??= await startWorker(env);
    const id = 'outage-0';
    await database.db.query(`DELETE FROM paper_embeddings WHERE paper_id = $1`, [id]);
    const [key] = (
      await database.db.query<{ text_hash: string; text_version: number }>(`SELECT text_hash, text_version FROM papers WHERE id = $1`, [id])
    ).rows;
    const embed = new Queue('embed', { connection: { host: '127.0.0.1', port: redisPort }, prefix: env.QUEUE_PREFIX });
    try {
      // The job reconciliation would queue for this paper, failing for good while the database is down.
      await database.stop();
      await embed.add(
        'embed.papers',
        { paperIds: [id] },
        {
          jobId: embedJobId(`${env.EMBEDDING_MODEL}@${env.EMBEDDING_DTYPE}`, [
            { id, textHash: key.text_hash, textVersion: key.text_version },
          ]),
          attempts: 1,
        },
      );
      await waitFor(async () => ((await embed.getJobCounts('failed')).failed ?? 0) > 0, 'the embed job to fail for good', 30_000);
      await startDatabase();
      await waitFor(
        async () => (await count(`SELECT count(*)::int AS n FROM paper_embeddings WHERE paper_id = 'outage-0'`)) === 1,
        'the paper to be indexed again',
        60_000,
      );
      expect((await embed.getJobCounts('failed')).failed ?? 0).toBe(0);
    } finally {
      await embed.close();
    }
  }, 120_000);
});
