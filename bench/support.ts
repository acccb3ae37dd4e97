/** Shared helpers for the benchmarks: run `npm start` as a process, push papers, measure. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { SHARED_DIR, toPushedPaper } from '../tools/arxiv-data';

export const ROOT = path.resolve(__dirname, '..');
export const MINILM = path.join(SHARED_DIR, 'models', 'minilm-l6-shaped');
/**
 * The build the benchmarks run: dist/, or BENCH_DIST (e.g. a copy of an earlier build under
 * bench/.cache, so that node_modules resolves) to compare two builds in one session.
 */
export const DIST = path.resolve(process.env.BENCH_DIST?.trim() || path.join(ROOT, 'dist'));

/**
 * Which database the benchmarks run on: `BENCH_DATABASE=embedded` (default: `npm start`'s own
 * PGlite process) or `postgres` (the server at BENCH_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432, with pgvector installed). On postgres a cached data dir
 * (bench/.cache/<name>) becomes a cached database `paperfeed_bench_<name>`; a fresh data dir a fresh
 * database, dropped when the run stops. The server's `postgres` database is never written.
 */
export const BENCH_DATABASE = (process.env.BENCH_DATABASE?.trim() || 'embedded') as 'embedded' | 'postgres';
if (!['embedded', 'postgres'].includes(BENCH_DATABASE)) throw new Error(`BENCH_DATABASE: embedded or postgres, not ${BENCH_DATABASE}`);
const POSTGRES_URL = (process.env.BENCH_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

/** The database name a cached data dir maps to on the server Postgres. */
export function benchDatabaseName(dataDir: string): string {
  return `paperfeed_bench_${path
    .basename(dataDir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')}`;
}

/** What the figures were measured on, for the scripts' output. */
export function databaseLabel(database?: string): string {
  return BENCH_DATABASE === 'postgres'
    ? `server Postgres (${POSTGRES_URL}${database ? `/${database}` : ''})`
    : 'embedded database (PGlite, one process)';
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: `${POSTGRES_URL}/postgres` }); // only CREATE/DROP DATABASE, never its tables
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates the bench database unless it exists (optionally as a copy of another one). */
export async function ensureBenchDatabase(name: string, template?: string): Promise<boolean> {
  const probe = new Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await probe.connect();
  const { rows } = await probe.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]).finally(() => probe.end());
  if (rows.length) return false;
  await adminQuery(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  return true;
}

export async function dropBenchDatabase(name: string): Promise<void> {
  if (!name.startsWith('paperfeed_bench_')) throw new Error(`not a bench database: ${name}`);
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export const benchDatabaseUrl = (name: string) => `${POSTGRES_URL}/${name}`;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Resident memory (bytes) of a process and all its descendants. */
export function treeRss(pid: number): number {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const children = new Map<number, number[]>();
  for (const [p, pp] of rows) children.set(pp, [...(children.get(pp) ?? []), p]);
  const rss = new Map(rows.map(([p, , r]) => [p, r]));
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += (rss.get(p) ?? 0) * 1024;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

export interface RunningSystem {
  url: string;
  /** embedded or postgres, and where: for the scripts' output. */
  database: string;
  token: string;
  /** The environment the all-in-one runs with (its queue prefix, model, …), for processes joining it. */
  env: Record<string, string>;
  db: Client;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs the built all-in-one (`npm start` without its build step) on a fresh or given (cached) data
 * dir; with BENCH_DATABASE=postgres on the matching database of the server Postgres instead of its
 * embedded database (the all-in-one skips that when DATABASE_URL is set).
 */
export async function startAllInOne(env: Record<string, string>, dataDir?: string): Promise<RunningSystem> {
  const cached = dataDir !== undefined;
  let database: string | undefined;
  if (BENCH_DATABASE === 'postgres') {
    database = cached ? benchDatabaseName(dataDir!) : `paperfeed_bench_tmp_${randomBytes(4).toString('hex')}`;
    await ensureBenchDatabase(database);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-bench-pg-')); // DATA_DIR still holds nothing of the database
  }
  dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pf-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const token = 'bench-admin-token-0123456789';
  // A cached data dir keeps the last run's runtime file: wait for this run's, not that one.
  fs.rmSync(path.join(dataDir, 'embedded.json'), { force: true });
  // Benchmarks measure the system, not the per-token rate limiter.
  const systemEnv: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: dataDir,
    ADMIN_TOKEN: token,
    QUEUE_PREFIX: `{pfbench-${randomBytes(3).toString('hex')}}`,
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  };
  if (database) systemEnv.DATABASE_URL = benchDatabaseUrl(database);
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node options for the all-in-one, which passes them on to its api and worker.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.trim().split(/\s+/) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(DIST, 'apps/all-in-one/src/main.js')], {
    env: { ...process.env, ...systemEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('all-in-one exited');
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok && (database || fs.existsSync(path.join(dataDir, 'embedded.json')))) break;
    if (i > 600) throw new Error('all-in-one did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const databaseUrl = database
    ? benchDatabaseUrl(database)
    : JSON.parse(fs.readFileSync(path.join(dataDir, 'embedded.json'), 'utf8')).databaseUrl;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    url,
    database: databaseLabel(database),
    token,
    env: systemEnv,
    db,
    child,
    async stop() {
      await db.end();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      if (database && !cached) await dropBenchDatabase(database);
    },
  };
}

/** The pid of the all-in-one's api child (the forked dist/apps/api/src/main.js). */
export function apiPid(system: RunningSystem): number {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    if (Number(ppid) === system.child.pid && args.join(' ').includes('apps/api/src/main.js')) return Number(pid);
  }
  throw new Error('no api process found');
}

/** Resident memory (bytes) of one process alone. */
export function processRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

export async function pushPapers(system: RunningSystem, papers: ReturnType<typeof toPushedPaper>[]): Promise<void> {
  for (let i = 0; i < papers.length; i += 1000) {
    const response = await fetch(`${system.url}/v1/ingest/papers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ papers: papers.slice(i, i + 1000) }),
    });
    if (response.status !== 202) throw new Error(`push failed: ${response.status} ${await response.text()}`);
  }
}

export async function indexedCount(system: RunningSystem): Promise<number> {
  const { rows } = await system.db.query('SELECT count(*)::int AS n FROM paper_embeddings');
  return rows[0].n;
}

/** The database's clock, to time work by the rows' own timestamps rather than by polling. */
export async function dbNow(system: RunningSystem): Promise<Date> {
  const { rows } = await system.db.query('SELECT clock_timestamp() AS now');
  return rows[0].now;
}

/**
 * Waits until n vectors are stored, polling every 2 s (polling must not steal CPU from the
 * work measured), and returns when the last one was written, by the database's clock.
 */
export async function waitIndexed(system: RunningSystem, n: number, onTick?: () => void): Promise<Date> {
  while ((await indexedCount(system)) < n) {
    onTick?.();
    await new Promise((r) => setTimeout(r, 2000));
  }
  const { rows } = await system.db.query('SELECT max(created_at) AS last FROM paper_embeddings');
  return rows[0].last;
}

/** More worker processes joining a running all-in-one (as Compose replicas would), resolved once each is consuming. */
export async function startExtraWorkers(system: RunningSystem, env: Record<string, string>, n: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, [path.join(DIST, 'apps/worker/src/main.js')], {
        env: { ...process.env, ...system.env, PORT: '0', ...env },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return new Promise<ChildProcess>((resolve, reject) => {
        let output = '';
        child.stdout!.on('data', (chunk) => {
          output += chunk;
          if (output.includes('consuming')) resolve(child);
        });
        child.once('exit', (code) => reject(new Error(`a worker exited (${code})`)));
      });
    }),
  );
}

/** A JSON call to the running system's api (the admin's token unless another is given); a non-2xx answer throws. */
export async function api(system: RunningSystem, method: string, url: string, body?: unknown, token = system.token) {
  const response = await fetch(`${system.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}
