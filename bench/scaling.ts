/**
 * Issue #6 figure: ingestion scales with worker processes. A local Hugging Face daily-papers
 * server answers every request after 200 ms (a remote API's latency) with 10 real papers per date;
 * DATES harvests are requested at once. The same work runs with 1 and with 4 worker processes
 * (WORKER_QUEUES=ingest, WORKER_CONCURRENCY=2 each), started the way Compose starts replicas:
 * separate `npm run start:worker` processes joining one api, database and Redis. Embedding is off
 * (no process consumes the embed queue), so the figure is ingestion's. Throughput: papers stored
 * per second from the moment the queue, holding every request, is resumed to the last harvest
 * completed (the database's clock). BENCH_DATABASE=embedded|postgres (bench/support.ts): each run
 * on a fresh data dir, or a fresh database of the server Postgres (dropped after).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/scaling.ts [rounds=3] [dates=120] [papers per date=10] [concurrency=2]
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { ArxivRecord, loadArxivPapers, SHARED_DIR } from '../tools/arxiv-data';
import { databaseLabel, dbNow, median, startAllInOne, startExtraWorkers } from './support';

const ROUNDS = Number(process.argv[2] ?? 3);
const DATES = Number(process.argv[3] ?? 120);
const PER_DATE = Number(process.argv[4] ?? 10);
const CONCURRENCY = process.argv[5] ?? '2';
const LATENCY_MS = 200;

function hfDay(records: ArxivRecord[], date: string): string {
  return JSON.stringify(
    records.map((r) => ({
      paper: {
        id: r.id,
        title: r.title,
        summary: r.summary,
        authors: r.authors.map((name) => ({ name })),
        publishedAt: `${r._listing_date}T00:00:00.000Z`,
        upvotes: 0,
      },
      publishedAt: `${date}T00:00:00.000Z`,
      title: r.title,
    })),
  );
}

/** Serves PER_DATE papers per date, a different slice for each date. */
async function serve(papers: ArxivRecord[]): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const date = new URL(req.url ?? '/', 'http://x').searchParams.get('date') ?? '';
    const index = indexOf(date);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(hfDay(papers.slice(index * PER_DATE, (index + 1) * PER_DATE), date));
    }, LATENCY_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api`, close: () => server.close() };
}

/** The index-th day from 2030-01-01; the server maps it back to a slice of papers. */
function dateFor(index: number): string {
  return new Date(Date.UTC(2030, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
}
const indexOf = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.UTC(2030, 0, 1)) / 86_400_000);

async function round(records: ArxivRecord[], workers: number): Promise<number> {
  const source = await serve(records);
  const env = {
    WORKER_QUEUES: 'ingest',
    WORKER_CONCURRENCY: CONCURRENCY,
    HF_API_URL: source.url,
    EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'),
    EMBEDDING_DTYPE: 'fp32',
  };
  // npm start's own worker is the first; the rest join it like Compose replicas.
  const system = await startAllInOne(env); // a fresh data dir (or database)
  const extra = await startExtraWorkers(system, {}, workers - 1);
  try {
    // Requests are queued with the queue paused, so the clock runs on the workers' work alone.
    const admin = (action: 'pause' | 'resume') =>
      fetch(`${system.url}/v1/admin/queues/ingest/${action}`, { method: 'POST', headers: { authorization: `Bearer ${system.token}` } });
    await admin('pause');
    const dates = Array.from({ length: DATES }, (_, i) => dateFor(i));
    await Promise.all(
      dates.map((date) =>
        fetch(`${system.url}/v1/ingest/sources`, {
          method: 'POST',
          headers: { authorization: `Bearer ${system.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ source: 'hf-daily', date }),
        }).then((r) => {
          if (r.status !== 202) throw new Error(`POST /v1/ingest/sources: ${r.status}`);
        }),
      ),
    );
    const started = await dbNow(system);
    await admin('resume');
    for (;;) {
      const { rows } = await system.db.query(
        `SELECT count(*) FILTER (WHERE state IN ('completed', 'failed'))::int AS done, count(*)::int AS n, max(updated_at) AS last FROM harvests`,
      );
      if (rows[0].n === DATES && rows[0].done === DATES) {
        const { rows: papers } = await system.db.query(`SELECT count(*)::int AS n FROM papers`);
        if (papers[0].n !== DATES * PER_DATE) throw new Error(`stored ${papers[0].n} papers, expected ${DATES * PER_DATE}`);
        return papers[0].n / ((rows[0].last.getTime() - started.getTime()) / 1000);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    for (const child of extra) child.kill('SIGTERM');
    await system.stop();
    source.close();
  }
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()} (a fresh one per run)`);
  const records = loadArxivPapers(12_000);
  if (DATES * PER_DATE > records.length) throw new Error(`at most ${records.length / PER_DATE} dates`);
  const ratios: number[] = [];
  const one: number[] = [];
  const four: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await round(records, 1);
    const b = await round(records, 4);
    one.push(a);
    four.push(b);
    ratios.push(b / a);
    console.log(`round ${r + 1}: 1 worker ${a.toFixed(1)} papers/s, 4 workers ${b.toFixed(1)} papers/s, ${(b / a).toFixed(2)}x`);
  }
  console.log(
    `\n${DATES} hf-daily harvests of ${PER_DATE} papers, ${LATENCY_MS} ms source latency, WORKER_CONCURRENCY=${CONCURRENCY} per process:`,
  );
  console.log(
    `1 worker ${median(one).toFixed(1)} papers/s; 4 workers ${median(four).toFixed(1)} papers/s; speed-up ${median(ratios).toFixed(2)}x (target ≥ 3.5), ${databaseLabel()}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
