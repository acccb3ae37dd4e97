/**
 * Issue #6 figure: 50 concurrent clients mixing feed (40%), similar (20%), search (20%) and paper
 * reads (20%) for 60 s against the all-in-one on the 12,000 real papers (glove-static-100d, with
 * the 1,000 users bench/feed-quality.ts leaves), while ingestion runs: a batch of 100 new papers
 * pushed every second (the real abstracts under new ids), each embedded by the worker. Every
 * response must be a 2xx; prints p50/p99 per route, and how many papers the worker indexed meanwhile.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/load.ts [seconds=60] [clients=50]
 */
import * as path from 'node:path';
import { loadArxivPapers, SHARED_DIR, toPushedPaper } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';
import { indexedCount, median, percentile, ROOT, startAllInOne } from './support';

const SECONDS = Number(process.argv[2] ?? 60);
const CLIENTS = Number(process.argv[3] ?? 50);
const next = seededRandom(11);

async function main(): Promise<void> {
  const system = await startAllInOne(
    { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32' },
    path.join(ROOT, 'bench', '.cache', 'search-glove'),
  );
  try {
    const records = loadArxivPapers(12_000);
    const { rows: users } = await system.db.query(`SELECT id FROM users`);
    if (users.length < 100) throw new Error('run bench/feed-quality.ts first: it leaves 1,000 users with events');
    await system.db.query(`DELETE FROM papers WHERE id LIKE 'load-%'`); // an earlier run's pushes
    const words = records.map((r) => r.title.split(/\s+/).slice(0, 3).join(' '));
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
    const routes: { name: string; weight: number; path: () => string }[] = [
      { name: 'GET /v1/users/:id/feed', weight: 0.4, path: () => `/v1/users/${pick(users).id}/feed?limit=20` },
      { name: 'GET /v1/papers/:id/similar', weight: 0.2, path: () => `/v1/papers/${pick(records).id}/similar?limit=10` },
      { name: 'GET /v1/search', weight: 0.2, path: () => `/v1/search?q=${encodeURIComponent(pick(words))}&limit=10` },
      { name: 'GET /v1/papers/:id', weight: 0.2, path: () => `/v1/papers/${pick(records).id}` },
    ];
    const latencies = new Map(routes.map((r) => [r.name, [] as number[]]));
    const errors: string[] = [];
    const headers = { authorization: `Bearer ${system.token}` };
    const before = await indexedCount(system);
    const until = Date.now() + SECONDS * 1000;

    // Ingestion meanwhile: 100 new papers a second.
    let pushed = 0;
    const ingestion = (async () => {
      while (Date.now() < until) {
        const batch = records.slice(pushed % records.length, (pushed % records.length) + 100).map((r, i) => ({ ...toPushedPaper(r), id: `load-${pushed + i}` }));
        const response = await fetch(`${system.url}/v1/ingest/papers`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ papers: batch }) });
        if (response.status !== 202) errors.push(`ingest: ${response.status}`);
        pushed += batch.length;
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

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
        latencies.get(route.name)!.push(performance.now() - started);
      }
    };
    await Promise.all([...Array.from({ length: CLIENTS }, client), ingestion]);
    const indexed = (await indexedCount(system)) - before;

    let total = 0;
    console.log(`\n${CLIENTS} clients for ${SECONDS} s, ${pushed} papers pushed meanwhile (${indexed} indexed during the run)`);
    console.log('route                          requests   req/s   p50 ms   p99 ms');
    for (const [name, times] of latencies) {
      total += times.length;
      console.log(`${name.padEnd(30)} ${String(times.length).padStart(8)} ${(times.length / SECONDS).toFixed(0).padStart(7)} ${median(times).toFixed(1).padStart(8)} ${percentile(times, 99).toFixed(1).padStart(8)}`);
    }
    console.log(`all: ${total} requests, ${(total / SECONDS).toFixed(0)} req/s, errors: ${errors.length}${errors.length ? ` (first: ${errors.slice(0, 5).join('; ')})` : ''}`);
    if (errors.length) process.exitCode = 1;
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
