/**
 * Issue #6 figure: on 2 cores, is one embedder with 2 inference threads faster than 2 embedders
 * with 1 thread each? 2,000 real papers pushed to `npm start` (MiniLM-shaped q8), timed until the
 * last vector is stored (the database's clock), with either its worker at EMBED_THREADS=2, or its
 * worker and one more embed-only worker process at EMBED_THREADS=1. Sets the Compose default.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/embedders.ts [papers=2000] [rounds=3]
 */
import { loadArxivPapers, toPushedPaper } from '../tools/arxiv-data';
import { databaseLabel, dbNow, median, MINILM, pushPapers, startAllInOne, startExtraWorkers, waitIndexed } from './support';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);

async function rate(layout: { threads: number; processes: number }): Promise<number> {
  const env = { EMBEDDING_MODEL: MINILM, EMBED_THREADS: String(layout.threads) };
  const system = await startAllInOne(env); // a fresh data dir (or database)
  const extra = await startExtraWorkers(system, { WORKER_QUEUES: 'embed' }, layout.processes - 1);
  try {
    const started = await dbNow(system);
    await pushPapers(system, loadArxivPapers(N).map(toPushedPaper));
    const last = await waitIndexed(system, N);
    return N / ((last.getTime() - started.getTime()) / 1000);
  } finally {
    for (const child of extra) child.kill('SIGTERM');
    await system.stop();
  }
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    one.push(await rate({ threads: 2, processes: 1 }));
    two.push(await rate({ threads: 1, processes: 2 }));
    console.log(
      `round ${r + 1}: 1 embedder × 2 threads ${one[r].toFixed(1)} papers/s; 2 embedders × 1 thread ${two[r].toFixed(1)} papers/s`,
    );
  }
  const [a, b] = [median(one), median(two)];
  console.log(
    `\n${N} papers, MiniLM-shaped q8: 1 × 2 threads ${a.toFixed(1)} papers/s, 2 × 1 thread ${b.toFixed(1)} papers/s → ${b > a ? '2 embedders × 1 thread' : '1 embedder × 2 threads'} is faster (${(Math.max(a, b) / Math.min(a, b)).toFixed(2)}x)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
