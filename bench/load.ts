/**
 * Issue #6 / #12 figure: 50 concurrent clients mixing feed (40%), similar (20%), search (20%) and
 * paper reads (20%) for 60 s against the all-in-one on the 12,000 real papers (glove-static-100d,
 * with 1,000 users of 50 events each), while ingestion runs: a batch of 100 new papers pushed every
 * second (the real abstracts under new ids), each embedded by the worker. Every response must be a
 * 2xx; prints p50/p99 per route, and how many papers the worker indexed meanwhile.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/load.ts [seconds=60] [clients=50] [rounds=1] [ingest|none|both]
 *
 * `none` runs the same clients without ingestion (the baseline); `both` runs, in each round, first
 * without and then with ingestion, each on a fresh start of the all-in-one. Every run first reads
 * for WARMUP_S seconds (not counted) with nothing ingested, so that the corpus index is loaded and
 * the code is warm. BENCH_DATABASE=embedded|postgres (bench/support.ts). The data (the 12,000
 * papers indexed, then the 1,000 users, as bench/feed-quality.ts leaves them) is made on first use
 * and cached: bench/.cache/search-glove, or the database paperfeed_bench_search_glove.
 * To profile: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=<dir>" (bench/support.ts; written at exit).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArxivPapers, SHARED_DIR, toPushedPaper } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';
import {
  api,
  BENCH_DATABASE,
  benchDatabaseName,
  databaseLabel,
  indexedCount,
  median,
  percentile,
  pushPapers,
  ROOT,
  RunningSystem,
  startAllInOne,
  waitIndexed,
} from './support';

const SECONDS = Number(process.argv[2] ?? 60);
const CLIENTS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 1);
const MODE = (process.argv[5] ?? 'ingest') as 'ingest' | 'none' | 'both';
if (!['ingest', 'none', 'both'].includes(MODE)) throw new Error(`mode: ingest, none or both, not ${MODE}`);
const WARMUP_S = 5;
const LOAD_USERS = 1000;
const LOAD_EVENTS = 50;
const ROUTES = ['GET /v1/users/:id/feed', 'GET /v1/papers/:id/similar', 'GET /v1/search', 'GET /v1/papers/:id'] as const;
type Route = (typeof ROUTES)[number];
const next = seededRandom(11);
const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];

/** Until no queue has waiting or active jobs (folds of the users' events, embedding) and no fold is delayed. */
async function queuesIdle(system: RunningSystem): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const queues: { name: string; counts: Record<string, number> }[] = await api(system, 'GET', '/v1/admin/queues');
    // Delayed jobs include the periodic reconcile and digest runs: only the folds' must be done.
    if (queues.every((q) => q.counts.waiting + q.counts.active + (q.name === 'profile' ? q.counts.delayed : 0) === 0)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('queues did not drain');
}

/** First use of a cache: the 12,000 papers indexed, then 1,000 users with 50 random events each (as bench/feed-quality.ts makes them). */
async function prepare(system: RunningSystem, records: ReturnType<typeof loadArxivPapers>): Promise<void> {
  await system.db.query(`DELETE FROM papers WHERE id LIKE 'load-%'`); // an earlier run's pushes
  if ((await indexedCount(system)) < records.length) {
    console.log('indexing 12,000 papers (first run only)…');
    await pushPapers(system, records.map(toPushedPaper));
    await waitIndexed(system, records.length);
  }
  const { rows: existing } = await system.db.query(`SELECT count(*)::int AS n FROM users`);
  if (existing[0].n < LOAD_USERS)
    console.log(`making ${LOAD_USERS - existing[0].n} users with ${LOAD_EVENTS} events each (first run only)…`);
  const types = ['view', 'view', 'click', 'click', 'save', 'upvote', 'dismiss'];
  const prep = seededRandom(5);
  for (let u = existing[0].n; u < LOAD_USERS; u++) {
    const user = await api(system, 'POST', '/v1/users', { name: `load${u}` });
    const events = Array.from({ length: LOAD_EVENTS }, () => ({
      paperId: records[Math.floor(prep() * records.length)].id,
      type: types[Math.floor(prep() * types.length)],
    }));
    const unique = [...new Map(events.map((e) => [e.paperId, e])).values()];
    await api(system, 'POST', `/v1/users/${user.id}/events`, { events: unique }, user.token);
  }
  await queuesIdle(system);
}

/** CPU seconds (user + system, all threads) of a process. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The all-in-one's children by role (api, worker, database when embedded), and the server Postgres backends of this database. */
function processesOf(system: RunningSystem): Map<string, number[]> {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const roles = new Map<string, number[]>();
  const database = system.env.DATABASE_URL?.split('/').pop();
  for (const line of out.trim().split('\n')) {
    const [pid, ppid, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    let role: string | undefined;
    if (Number(ppid) === system.child.pid)
      role = args.includes('apps/api/')
        ? 'api'
        : args.includes('apps/worker/')
          ? 'worker'
          : args.includes('embedded/main')
            ? 'database'
            : undefined;
    else if (database && args.startsWith('postgres: ') && args.includes(` ${database} `)) role = 'database';
    if (role) roles.set(role, [...(roles.get(role) ?? []), Number(pid)]);
  }
  return roles;
}

interface RunResult {
  latencies: Map<Route, number[]>;
  errors: string[];
  pushed: number;
  indexed: number;
  cpu: Map<string, number>;
}

async function run(ingest: boolean): Promise<RunResult> {
  const system = await startAllInOne(
    {
      EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'),
      EMBEDDING_DTYPE: 'fp32',
    },
    path.join(ROOT, 'bench', '.cache', 'search-glove'),
  );
  try {
    const records = loadArxivPapers(12_000);
    await prepare(system, records);
    const { rows: users } = await system.db.query(`SELECT id FROM users`);
    const words = records.map((r) => r.title.split(/\s+/).slice(0, 3).join(' '));
    const routes: { name: Route; weight: number; path: () => string }[] = [
      { name: 'GET /v1/users/:id/feed', weight: 0.4, path: () => `/v1/users/${pick(users).id}/feed?limit=20` },
      { name: 'GET /v1/papers/:id/similar', weight: 0.2, path: () => `/v1/papers/${pick(records).id}/similar?limit=10` },
      { name: 'GET /v1/search', weight: 0.2, path: () => `/v1/search?q=${encodeURIComponent(pick(words))}&limit=10` },
      { name: 'GET /v1/papers/:id', weight: 0.2, path: () => `/v1/papers/${pick(records).id}` },
    ];
    const errors: string[] = [];
    const headers = { authorization: `Bearer ${system.token}` };
    const clients = async (until: number, latencies?: Map<Route, number[]>) => {
      const client = async () => {
        while (Date.now() < until) {
          let roll = next();
          const route = routes.find((r) => (roll -= r.weight) < 0) ?? routes[0];
          const started = performance.now();
          try {
            const response = await fetch(`${system.url}${route.path()}`, { headers });
            await response.arrayBuffer();
            if (response.status >= 300) errors.push(`${route.name}: ${response.status}`);
          } catch (error) {
            errors.push(`${route.name}: ${(error as Error).message}`);
          }
          latencies?.get(route.name)!.push(performance.now() - started);
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
    };
    await clients(Date.now() + WARMUP_S * 1000);

    const latencies = new Map(ROUTES.map((r) => [r, [] as number[]]));
    const before = await indexedCount(system);
    const roles = processesOf(system);
    const cpuBefore = new Map([...roles].map(([role, pids]) => [role, pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)]));
    const benchCpu = process.cpuUsage();
    const until = Date.now() + SECONDS * 1000;
    // Ingestion meanwhile: 100 new papers a second.
    let pushed = 0;
    const ingestion = (async () => {
      // One batch a second, on a fixed schedule (a batch's POST does not delay the next one's slot).
      for (let slot = Date.now(); ingest && Date.now() < until; slot += 1000) {
        await new Promise((r) => setTimeout(r, Math.max(0, slot - Date.now())));
        // New ids and titles: a paper whose title matches a stored one's is recognised as that paper (libs/ingest).
        const batch = records
          .slice(pushed % records.length, (pushed % records.length) + 100)
          .map((r, i) => ({ ...toPushedPaper(r), id: `load-${pushed + i}`, title: `${r.title} (load ${pushed + i})` }));
        const response = await fetch(`${system.url}/v1/ingest/papers`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ papers: batch }),
        });
        if (response.status !== 202) errors.push(`ingest: ${response.status}`);
        pushed += batch.length;
      }
    })();
    await Promise.all([clients(until, latencies), ingestion]);
    const cpu = new Map(
      [...roles].map(([role, pids]) => [role, pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore.get(role)!]),
    );
    const used = process.cpuUsage(benchCpu);
    cpu.set('clients (this script)', (used.user + used.system) / 1e6);
    const indexed = (await indexedCount(system)) - before;
    return { latencies, errors, pushed, indexed, cpu };
  } finally {
    // The cache is the 12,000 papers: bench/search.ts and bench/memory.ts count on it.
    await system.db.query(`DELETE FROM papers WHERE id LIKE 'load-%'`).catch(() => undefined);
    await system.stop();
  }
}

function report(label: string, result: RunResult): void {
  let total = 0;
  console.log(
    `\n${label}: ${CLIENTS} clients for ${SECONDS} s, ${result.pushed} papers pushed meanwhile (${result.indexed} indexed during the run)`,
  );
  console.log('route                          requests   req/s   p50 ms   p99 ms');
  for (const [name, times] of result.latencies) {
    total += times.length;
    console.log(
      `${name.padEnd(30)} ${String(times.length).padStart(8)} ${(times.length / SECONDS).toFixed(0).padStart(7)} ${median(times).toFixed(1).padStart(8)} ${percentile(times, 99).toFixed(1).padStart(8)}`,
    );
  }
  const cpu = [...result.cpu].map(([role, s]) => `${role} ${((100 * s) / SECONDS).toFixed(0)}%`).join(', ');
  console.log(
    `all: ${total} requests, ${(total / SECONDS).toFixed(0)} req/s, errors: ${result.errors.length}${result.errors.length ? ` (first: ${result.errors.slice(0, 5).join('; ')})` : ''}; CPU (of one core): ${cpu}`,
  );
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel(BENCH_DATABASE === 'postgres' ? benchDatabaseName('search-glove') : undefined)}`);
  const phases = MODE === 'both' ? [false, true] : [MODE === 'ingest'];
  const results = new Map<boolean, RunResult[]>(phases.map((p) => [p, []]));
  let failed = false;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const ingest of phases) {
      const result = await run(ingest);
      results.get(ingest)!.push(result);
      report(`round ${round}, ${ingest ? 'with ingestion' : 'no ingestion'}`, result);
      failed ||= result.errors.length > 0;
    }
  }
  console.log(`\nsummary: medians of ${ROUNDS} round(s), ${CLIENTS} clients × ${SECONDS} s`);
  for (const ingest of phases) {
    const runs = results.get(ingest)!;
    console.log(
      `${ingest ? 'with ingestion (100 papers/s pushed)' : 'no ingestion (baseline)'}: errors ${runs.map((r) => r.errors.length).join(', ')}; indexed during the run ${runs.map((r) => r.indexed).join(', ')}`,
    );
    for (const route of ROUTES) {
      const p50 = runs.map((r) => median(r.latencies.get(route)!));
      const p99 = runs.map((r) => percentile(r.latencies.get(route)!, 99));
      const rate = runs.map((r) => r.latencies.get(route)!.length / SECONDS);
      console.log(
        `  ${route.padEnd(28)} p50 ${median(p50).toFixed(1)} ms, p99 ${median(p99).toFixed(1)} ms (rounds ${p99.map((x) => x.toFixed(0)).join(', ')}), ${median(rate).toFixed(0)} req/s`,
      );
    }
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
