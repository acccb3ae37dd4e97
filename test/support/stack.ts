import { startTestDatabase, TestDatabase } from './database';
import { ADMIN_TOKEN, testEnv, waitFor } from './env';
import { AppProcess, startApi, startWorker } from './processes';

export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

export const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** The running system of an e2e test: database, api and worker processes, and an HTTP client. */
export interface Stack {
  db: TestDatabase;
  env: Record<string, string>;
  api: AppProcess;
  worker: AppProcess;
  base: string;
  /** Replaces the worker (e.g. to change its model). */
  setWorker(worker: AppProcess): void;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Waits for a job to finish and returns its status body. */
  job(jobId: string): Promise<any>;
  /** Pushes papers as the admin and waits until each pushed paper with words is indexed. */
  ingest(papers: unknown[]): Promise<any>;
  count(table: string): Promise<number>;
  /** Waits until a queue has nothing waiting, delayed or active (e.g. the worker's folds of events). */
  drained(queue: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(overrides: Record<string, string> = {}): Promise<Stack> {
  const db = await startTestDatabase();
  const env = testEnv(db.url, overrides);
  const { app: api, url: base } = await startApi(env);
  let worker = await startWorker(env);

  const request: Stack['request'] = async (method, path, options = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: options.headers ?? adminHeaders,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (e.g. Atom): keep the text
    }
    return { status: response.status, body, headers: response.headers };
  };
  const job: Stack['job'] = (jobId) =>
    waitFor(async () => {
      const { body } = await request('GET', `/v1/jobs/${jobId}`);
      return body.state === 'completed' || body.state === 'failed' ? body : undefined;
    }, `job ${jobId}`);

  return {
    db,
    env,
    api,
    get worker() {
      return worker;
    },
    base,
    setWorker(next) {
      worker = next;
    },
    request,
    get: (path, headers = {}) => request('GET', path, { headers }),
    job,
    async ingest(papers) {
      const pushed = await request('POST', '/v1/ingest/papers', { body: { papers } });
      if (pushed.status !== 202) throw new Error(`ingest failed: ${pushed.status} ${JSON.stringify(pushed.body)}`);
      const done = await job(pushed.body.jobId);
      await waitFor(async () => {
        const rows = await db.dataSource.query(
          `SELECT count(*)::int AS n FROM papers p WHERE NOT EXISTS (SELECT 1 FROM paper_embeddings e WHERE e.paper_id = p.id)`,
        );
        return rows[0].n === 0;
      }, 'every paper to be indexed');
      return done;
    },
    count: async (table) => (await db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n,
    async drained(queue) {
      await waitFor(async () => {
        const { body } = await request('GET', '/v1/admin/queues');
        const { counts } = body.find((q: { name: string }) => q.name === queue);
        return counts.waiting + counts.delayed + counts.active === 0;
      }, `queue ${queue} to drain`);
    },
    async stop() {
      await worker.stop();
      await api.stop();
      await db.stop();
    },
  };
}
