/**
 * Issue #4 figures, on the 12,000 real papers embedded by glove-static-100d (the offline model with
 * real semantics), all three search modes in the same run:
 *  (a) known-item: the query is a paper's title with 30% of its words dropped; MRR@10 of that paper;
 *  (b) topic: the query is a paper's abstract (first 500 characters, the longest q allowed);
 *      precision@10 of results (the paper itself left out) sharing its primary category;
 * and latency at 1 connection: hybrid search p95 on uncached queries, GET /v1/papers?sort=trending p95.
 * The indexed data dir is cached in bench/.cache/search-glove (BENCH_DATABASE=postgres: the database
 * paperfeed_bench_search_glove of the server Postgres; see bench/support.ts).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/search.ts [queries=300] [rounds=3]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArxivPapers, toPushedPaper } from '../tools/arxiv-data';
import { indexedCount, median, percentile, pushPapers, ROOT, RunningSystem, startAllInOne, waitIndexed } from './support';
import { SHARED_DIR } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';

const QUERIES = Number(process.argv[2] ?? 300);
const ROUNDS = Number(process.argv[3] ?? 3);
const MODES = ['keyword', 'semantic', 'hybrid'] as const;
type Mode = (typeof MODES)[number];

function sample<T>(items: T[], n: number, next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

function dropWords(title: string, share: number, next: () => number): string {
  const words = title.replace(/\s+/g, ' ').trim().split(' ');
  const drop = new Set(
    sample(
      words.map((_, i) => i),
      Math.round(words.length * share),
      next,
    ),
  );
  return words.filter((_, i) => !drop.has(i)).join(' ');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, flat.lastIndexOf(' ', max));
}

async function search(system: RunningSystem, q: string, mode: Mode, limit: number): Promise<{ ids: string[]; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${system.url}/v1/search?${new URLSearchParams({ q, mode, limit: String(limit) })}`);
  const body = (await response.json()) as { items: { paper: { id: string } }[] };
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`search ${mode} "${q.slice(0, 40)}": ${response.status} ${JSON.stringify(body)}`);
  return { ids: body.items.map((i) => i.paper.id), ms };
}

async function trendingLatencies(system: RunningSystem, categories: string[], n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const category = i % 2 ? `&category=${categories[i % categories.length]}` : '';
    const started = performance.now();
    const response = await fetch(`${system.url}/v1/papers?sort=trending&limit=20${category}`);
    await response.arrayBuffer();
    out.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`trending: ${response.status}`);
  }
  return out;
}

async function main(): Promise<void> {
  const dataDir = path.join(ROOT, 'bench', '.cache', 'search-glove');
  fs.mkdirSync(dataDir, { recursive: true });
  const system = await startAllInOne(
    { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32', EMBED_THREADS: '2' },
    dataDir,
  );
  try {
    console.log(`database: ${system.database}`);
    const records = loadArxivPapers(12_000);
    await system.db.query(`DELETE FROM papers WHERE id LIKE 'load-%'`); // bench/load.ts's pushes, if a run of it was cut short
    if ((await indexedCount(system)) < records.length) {
      console.log('indexing 12,000 papers (first run only)…');
      await pushPapers(system, records.map(toPushedPaper));
      await waitIndexed(system, records.length);
    }
    const primary = new Map(records.map((r) => [r.id, r.categories[0]]));
    const next = seededRandom(20251127);
    const quality: Record<Mode, { mrr: number[]; precision: number[] }> = {
      keyword: { mrr: [], precision: [] },
      semantic: { mrr: [], precision: [] },
      hybrid: { mrr: [], precision: [] },
    };
    const latency = { knownItem: [] as number[], topic: [] as number[], trending: [] as number[] };
    const categories = [...new Set(records.map((r) => r.categories[0]))];

    for (let round = 1; round <= ROUNDS; round++) {
      const targets = sample(records, QUERIES, next);
      const knownItem = targets.map((r) => ({ id: r.id, q: dropWords(r.title, 0.3, next) })).filter((k) => k.q.length > 0);
      const topic = targets.map((r) => ({ id: r.id, q: clip(r.summary, 500) }));
      const hybridTimes = { knownItem: [] as number[], topic: [] as number[] };
      for (const mode of MODES) {
        let reciprocal = 0;
        for (const { id, q } of knownItem) {
          const { ids, ms } = await search(system, q, mode, 10);
          const rank = ids.indexOf(id);
          reciprocal += rank >= 0 ? 1 / (rank + 1) : 0;
          if (mode === 'hybrid') hybridTimes.knownItem.push(ms);
        }
        let precise = 0;
        for (const { id, q } of topic) {
          const { ids, ms } = await search(system, q, mode, 11);
          const others = ids.filter((other) => other !== id).slice(0, 10);
          precise += others.filter((other) => primary.get(other) === primary.get(id)).length / 10;
          if (mode === 'hybrid') hybridTimes.topic.push(ms);
        }
        quality[mode].mrr.push(reciprocal / knownItem.length);
        quality[mode].precision.push(precise / topic.length);
      }
      latency.knownItem.push(percentile(hybridTimes.knownItem, 95));
      latency.topic.push(percentile(hybridTimes.topic, 95));
      latency.trending.push(percentile(await trendingLatencies(system, categories, 400), 95));
      console.log(
        `round ${round}: ` +
          MODES.map((m) => `${m} MRR@10 ${quality[m].mrr.at(-1)!.toFixed(3)} P@10 ${quality[m].precision.at(-1)!.toFixed(3)}`).join('; ') +
          `; hybrid p95 ${latency.knownItem.at(-1)!.toFixed(1)} ms (titles) ${latency.topic.at(-1)!.toFixed(1)} ms (abstracts); trending p95 ${latency.trending.at(-1)!.toFixed(2)} ms`,
      );
    }
    console.log(`\n12,000 papers, glove-static-100d, ${system.database}, ${QUERIES} queries per round, medians of ${ROUNDS} rounds`);
    for (const mode of MODES) {
      console.log(
        `${mode.padEnd(8)} known-item MRR@10 ${median(quality[mode].mrr).toFixed(3)}   topic P@10 ${median(quality[mode].precision).toFixed(3)}`,
      );
    }
    const best = (metric: 'mrr' | 'precision') => Math.max(median(quality.keyword[metric]), median(quality.semantic[metric]));
    console.log(
      `hybrid − best single mode: MRR@10 ${(median(quality.hybrid.mrr) - best('mrr')).toFixed(3)}, P@10 ${(median(quality.hybrid.precision) - best('precision')).toFixed(3)}`,
    );
    console.log(
      `hybrid search p95 @1 (uncached): ${median(latency.knownItem).toFixed(1)} ms for titles, ${median(latency.topic).toFixed(1)} ms for 500-character abstracts (target ≤ 30)`,
    );
    console.log(`GET /v1/papers?sort=trending p95 @1: ${median(latency.trending).toFixed(2)} ms (target ≤ 10)`);
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
