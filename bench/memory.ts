/**
 * Issue #12 figure: the api's resident memory (RSS of the api process alone, not the launcher,
 * database or worker) as the corpus grows: 12,000 real papers (bench/.cache/search-glove, made by
 * bench/load.ts or bench/search.ts) and copies of it grown to 50,000 and 100,000 papers with
 * synthetic ones inserted straight into the database (each: the title, authors and date of one
 * real paper, the abstract and categories of another, a random unit vector of the model's
 * dimension). Per size: the api's RSS once ready (nothing asked yet), then after the feed of
 * USERS users has been requested (which loads the feed's corpus index: at most FEED_WINDOW =
 * 50,000 papers) and after a second pass. A bounded index shows as RSS at 100,000 ≈ RSS at 50,000.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/memory.ts [users=200] [sizes=12000,50000,100000]
 *
 * BENCH_DATABASE=embedded|postgres (bench/support.ts). The grown copies are cached
 * (bench/.cache/memory-<size>, or the databases paperfeed_bench_memory_<size>).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_DIR } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';
import {
  apiPid,
  BENCH_DATABASE,
  benchDatabaseName,
  databaseLabel,
  ensureBenchDatabase,
  processRss,
  ROOT,
  RunningSystem,
  startAllInOne,
} from './support';

const USERS = Number(process.argv[2] ?? 200);
const SIZES = (process.argv[3] ?? '12000,50000,100000').split(',').map(Number);
const REAL = 12_000;
const ENV = { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32' };
const cacheDir = (name: string) => path.join(ROOT, 'bench', '.cache', name);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** Grows a copy of the 12,000-paper cache to `size` papers (first use only). */
async function grown(size: number): Promise<string> {
  if (size <= REAL) {
    // bench/load.ts's pushes, if a run of it was cut short: the cache is the 12,000 real papers.
    const system = await startAllInOne(ENV, cacheDir('search-glove'));
    await system.db.query(`DELETE FROM papers WHERE id LIKE 'load-%'`).finally(() => system.stop());
    return cacheDir('search-glove');
  }
  const dir = cacheDir(`memory-${size}`);
  if (BENCH_DATABASE === 'postgres') await ensureBenchDatabase(benchDatabaseName(dir), benchDatabaseName(cacheDir('search-glove')));
  else if (!fs.existsSync(dir)) fs.cpSync(cacheDir('search-glove'), dir, { recursive: true });
  return dir;
}

async function insertSynthetic(system: RunningSystem, size: number): Promise<void> {
  const [{ n }] = (await system.db.query(`SELECT count(*)::int AS n FROM papers WHERE id LIKE 'syn-%'`)).rows;
  const want = size - REAL;
  if (n >= want) return;
  const [space] = (await system.db.query(`SELECT id, dimensions FROM embedding_spaces ORDER BY id LIMIT 1`)).rows;
  const next = seededRandom(size);
  console.log(`inserting ${want - n} synthetic papers and vectors (first run only)…`);
  const BATCH = 2000;
  for (let from = n; from < want; from += BATCH) {
    const count = Math.min(BATCH, want - from);
    // Titles, authors and dates of real paper g, abstracts and categories of another; dates spread over the real range.
    await system.db.query(
      `WITH src AS (SELECT title, abstract, authors, categories, published_at, trending_score, row_number() OVER (ORDER BY id) - 1 AS rn
                    FROM papers WHERE id NOT LIKE 'syn-%' AND id NOT LIKE 'load-%'),
            n AS (SELECT count(*) AS c FROM src)
       INSERT INTO papers (id, title, abstract, authors, categories, published_at, text_hash, trending_score)
       SELECT 'syn-' || g, a.title, b.abstract, a.authors, b.categories, a.published_at - ((g * 37) % 400) * interval '1 day', md5('syn-' || g || a.title || b.abstract), a.trending_score
       FROM generate_series($1::int, $1::int + $2::int - 1) g CROSS JOIN n
       JOIN src a ON a.rn = g % n.c JOIN src b ON b.rn = (g * 7919 + 13) % n.c`,
      [from, count],
    );
    const ids = Array.from({ length: count }, (_, i) => `syn-${from + i}`);
    const vectors = ids.map(() => {
      const v = Array.from({ length: space.dimensions }, () => next() - 0.5);
      const norm = Math.hypot(...v);
      return `[${v.map((x) => (x / norm).toFixed(6)).join(',')}]`;
    });
    await system.db.query(
      `INSERT INTO paper_embeddings (paper_id, space_id, text_hash, embedding)
       SELECT p.id, $1, p.text_hash, v.embedding::vector FROM unnest($2::text[], $3::text[]) AS v(id, embedding) JOIN papers p ON p.id = v.id`,
      [space.id, ids, vectors],
    );
    if ((from / BATCH) % 10 === 0) console.log(`  ${from + count} / ${want}`);
  }
  await system.db.query('ANALYZE');
}

async function feeds(system: RunningSystem, users: { id: string }[]): Promise<number[]> {
  const times: number[] = [];
  for (const user of users) {
    const started = performance.now();
    const response = await fetch(`${system.url}/v1/users/${user.id}/feed?limit=20`, {
      headers: { authorization: `Bearer ${system.token}` },
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`feed: ${response.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function measure(size: number): Promise<{ papers: number; idle: number; first: number; second: number }> {
  const dir = await grown(size);
  if (size > REAL) {
    const system = await startAllInOne(ENV, dir);
    try {
      await insertSynthetic(system, size);
    } finally {
      await system.stop();
    }
  }
  // A fresh api: its memory holds only what this size's requests made.
  const system = await startAllInOne(ENV, dir);
  try {
    const [{ papers, embedded }] = (
      await system.db.query(`SELECT (SELECT count(*)::int FROM papers) AS papers, (SELECT count(*)::int FROM paper_embeddings) AS embedded`)
    ).rows;
    const { rows: users } = await system.db.query(`SELECT id FROM users ORDER BY id LIMIT $1`, [USERS]);
    if (users.length < USERS) throw new Error('run bench/load.ts first: it leaves 1,000 users with events');
    const pid = apiPid(system);
    await new Promise((r) => setTimeout(r, 3000));
    const idle = processRss(pid);
    const t1 = await feeds(system, users);
    await new Promise((r) => setTimeout(r, 2000));
    const first = processRss(pid);
    await feeds(system, users);
    await new Promise((r) => setTimeout(r, 2000));
    const second = processRss(pid);
    console.log(
      `${papers} papers (${embedded} vectors): api RSS ${mib(idle)} MiB ready, ${mib(first)} MiB after ${USERS} feeds (first feed ${t1[0].toFixed(0)} ms, loads the index), ${mib(second)} MiB after ${USERS} more`,
    );
    return { papers, idle, first, second };
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const results = [];
  for (const size of SIZES) results.push(await measure(size));
  console.log(`\napi RSS (MiB), ${USERS} users' feeds requested twice:`);
  console.log('papers     ready   after feeds   after second pass');
  for (const r of results)
    console.log(`${String(r.papers).padEnd(9)} ${mib(r.idle).padStart(6)} ${mib(r.first).padStart(12)} ${mib(r.second).padStart(18)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
