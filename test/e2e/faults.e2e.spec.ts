import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDataSource, EmbeddedPostgres, runMigrations, startEmbeddedPostgres } from '@paperfeed/db';
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
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', tmp, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
    await waitFor(async () => new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(redisPort), 'ping']);
      probe.once('exit', (code) => resolve(code === 0));
    }), 'redis to answer');
  };
  const startDatabase = async () => {
    // The same port and password each time, as `npm start`'s supervisor restarts it.
    database = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: databasePort, password: 'faults-test-password' });
  };
  const request = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${api.url}${route}`, { method, headers: adminHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
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
    // A short lock: a killed worker's job is taken over within seconds.
    env = testEnv(database.url, { REDIS_URL: `redis://127.0.0.1:${redisPort}`, JOB_LOCK: '3s' });
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
});
