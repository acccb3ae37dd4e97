/**
 * Issue #2 figures: GET /v1/papers/:id/similar with the 12,000 real papers indexed by the
 * MiniLM-shaped model (384-d): p95 latency at 1 connection and requests/s at 16 connections.
 * Baselines in the same run: GET /v1/papers/:id (the api's floor: routing, one row, JSON) and the
 * same similarity query as an exact scan (HNSW off), timed in SQL.
 * The indexed data dir is cached in bench/.cache/similar (the first run embeds 12,000 papers).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/similar.ts [rounds=3]
 */
import autocannon from 'autocannon';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  databaseLabel,
  indexedCount,
  median,
  MINILM,
  percentile,
  pushPapers,
  ROOT,
  RunningSystem,
  startAllInOne,
  waitIndexed,
} from './support';
import { loadArxivPapers, toPushedPaper } from '../tools/arxiv-data';

const ROUNDS = Number(process.argv[2] ?? 3);
const N = 12_000;
const SEQUENTIAL = 400;

async function latencies(system: RunningSystem, paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of paths) {
    const started = performance.now();
    const response = await fetch(`${system.url}${p}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${p}: ${response.status}`);
    out.push(performance.now() - started);
  }
  return out;
}

async function throughput(system: RunningSystem, paths: string[]): Promise<{ rps: number; errors: number }> {
  let i = 0;
  const result = await autocannon({
    url: system.url,
    connections: 16,
    duration: 10,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { rps: result.requests.average, errors: result.errors + result.non2xx };
}

async function exactScanMs(system: RunningSystem, ids: string[]): Promise<number[]> {
  const { rows } = await system.db.query(`SELECT id, dimensions FROM embedding_spaces`);
  const space = rows[0];
  const out: number[] = [];
  await system.db.query('BEGIN');
  await system.db.query('SET LOCAL enable_indexscan = off');
  for (const id of ids) {
    const started = performance.now();
    await system.db.query(
      `SELECT e.paper_id FROM paper_embeddings e WHERE e.space_id = ${space.id} AND e.paper_id <> $1
       ORDER BY e.embedding::vector(${space.dimensions}) <=> (SELECT embedding::vector(${space.dimensions}) FROM paper_embeddings WHERE paper_id = $1 AND space_id = ${space.id}) LIMIT 10`,
      [id],
    );
    out.push(performance.now() - started);
  }
  await system.db.query('COMMIT');
  return out;
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const dataDir = path.join(ROOT, 'bench', '.cache', 'similar');
  fs.mkdirSync(dataDir, { recursive: true });
  const system = await startAllInOne({ EMBEDDING_MODEL: MINILM, EMBEDDING_DTYPE: 'q8', EMBED_THREADS: '2' }, dataDir);
  try {
    const papers = loadArxivPapers(N).map(toPushedPaper);
    if ((await indexedCount(system)) < papers.length) {
      console.log('indexing 12,000 papers (first run only)…');
      await pushPapers(system, papers);
      await waitIndexed(system, papers.length);
    }
    const ids = papers.map((p) => p.id).sort(() => 0.5 - Math.random());
    const similarPaths = ids.map((id) => `/v1/papers/${id}/similar?limit=10`);
    const paperPaths = ids.map((id) => `/v1/papers/${id}`);
    await latencies(system, similarPaths.slice(0, 50)); // warm up
    const rows: Record<string, number[]> = { similarP95: [], paperP95: [], exactP95: [], similarRps: [], paperRps: [] };
    let errors = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const offset = round * SEQUENTIAL;
      rows.similarP95.push(percentile(await latencies(system, similarPaths.slice(offset, offset + SEQUENTIAL)), 95));
      rows.paperP95.push(percentile(await latencies(system, paperPaths.slice(offset, offset + SEQUENTIAL)), 95));
      rows.exactP95.push(percentile(await exactScanMs(system, ids.slice(offset, offset + 50)), 95));
      const similar = await throughput(system, similarPaths);
      const paper = await throughput(system, paperPaths);
      errors += similar.errors + paper.errors;
      rows.similarRps.push(similar.rps);
      rows.paperRps.push(paper.rps);
      console.log(
        `round ${round}: similar p95 ${rows.similarP95.at(-1)!.toFixed(2)} ms, ${similar.rps.toFixed(0)} req/s @16; ` +
          `paper p95 ${rows.paperP95.at(-1)!.toFixed(2)} ms, ${paper.rps.toFixed(0)} req/s @16; exact-scan SQL p95 ${rows.exactP95.at(-1)!.toFixed(1)} ms`,
      );
    }
    console.log(`\n12,000 papers, 384-d (minilm-l6-shaped q8), medians of ${ROUNDS} rounds, errors: ${errors}`);
    console.log(
      `GET /v1/papers/:id/similar  p95 @1: ${median(rows.similarP95).toFixed(2)} ms (target ≤ 15)  @16: ${median(rows.similarRps).toFixed(0)} req/s (target ≥ 400)`,
    );
    console.log(
      `GET /v1/papers/:id (floor)  p95 @1: ${median(rows.paperP95).toFixed(2)} ms               @16: ${median(rows.paperRps).toFixed(0)} req/s`,
    );
    console.log(`exact kNN scan in SQL (no HNSW) p95: ${median(rows.exactP95).toFixed(1)} ms`);
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
