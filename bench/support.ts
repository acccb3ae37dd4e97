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
  const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
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
  token: string;
  /** The environment the all-in-one runs with (its queue prefix, model, …), for processes joining it. */
  env: Record<string, string>;
  db: Client;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the built all-in-one (`npm start` without its build step) on a fresh or given data dir. */
export async function startAllInOne(env: Record<string, string>, dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-bench-'))): Promise<RunningSystem> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const token = 'bench-admin-token-0123456789';
  // A cached data dir keeps the last run's runtime file: wait for this run's, not that one.
  fs.rmSync(path.join(dataDir, 'embedded.json'), { force: true });
  // Benchmarks measure the system, not the per-token rate limiter.
  const systemEnv = { PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN: token, QUEUE_PREFIX: `{pfbench-${randomBytes(3).toString('hex')}}`, RATE_LIMIT_PER_MINUTE: '0', ...env };
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/all-in-one/src/main.js')], {
    env: { ...process.env, ...systemEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('all-in-one exited');
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ok && fs.existsSync(path.join(dataDir, 'embedded.json'))) break;
    if (i > 600) throw new Error('all-in-one did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const { databaseUrl } = JSON.parse(fs.readFileSync(path.join(dataDir, 'embedded.json'), 'utf8'));
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    url,
    token,
    env: systemEnv,
    db,
    child,
    async stop() {
      await db.end();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
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
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/worker/src/main.js')], {
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
