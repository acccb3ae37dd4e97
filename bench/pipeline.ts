/**
 * Issue #2 figures: pipeline efficiency of `npm start` (POST → every paper indexed) against a bare
 * transformers.js pipeline() on the same texts, model, dtype, threads and truncation, measured in
 * the same run; and the peak RSS of the all-in-one process tree.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/pipeline.ts [papers=2000] [rounds=3]
 */
import * as path from 'node:path';
import { paperEmbeddingText } from '@paperfeed/embeddings';
import { databaseLabel, dbNow, median, MINILM, pushPapers, startAllInOne, treeRss, waitIndexed } from './support';
import { loadArxivPapers, toPushedPaper } from '../tools/arxiv-data';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const THREADS = 2;
const BATCH = 8;
const MAX_TOKENS = 256;

async function barePipeline(texts: string[]): Promise<number> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(MINILM);
  const extract = await pipeline('feature-extraction', path.basename(MINILM), {
    dtype: 'q8',
    session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
  });
  (extract.tokenizer as unknown as { model_max_length: number }).model_max_length = MAX_TOKENS;
  const sorted = [...texts].sort((a, b) => a.length - b.length);
  const started = performance.now();
  for (let i = 0; i < sorted.length; i += BATCH) {
    await extract(sorted.slice(i, i + BATCH), { pooling: 'mean', normalize: true });
  }
  const seconds = (performance.now() - started) / 1000;
  await extract.dispose();
  return texts.length / seconds;
}

async function system(papers: ReturnType<typeof toPushedPaper>[]): Promise<{ rate: number; peakRss: number }> {
  const running = await startAllInOne({
    EMBEDDING_MODEL: MINILM,
    EMBEDDING_DTYPE: 'q8',
    EMBED_THREADS: String(THREADS),
    EMBED_BATCH_SIZE: String(BATCH),
    EMBED_MAX_TOKENS: String(MAX_TOKENS),
  });
  let peakRss = treeRss(running.child.pid!);
  const started = await dbNow(running);
  await pushPapers(running, papers);
  const finished = await waitIndexed(running, papers.length, () => (peakRss = Math.max(peakRss, treeRss(running.child.pid!))));
  const rate = papers.length / ((finished.getTime() - started.getTime()) / 1000);
  await running.stop();
  return { rate, peakRss };
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const papers = loadArxivPapers(N).map(toPushedPaper);
  const texts = papers.map((p) => paperEmbeddingText({ title: p.title.replace(/\s+/g, ' ').trim(), abstract: p.abstract.trim() }));
  const bare: number[] = [];
  const full: number[] = [];
  const rss: number[] = [];
  await barePipeline(texts.slice(0, 200)); // warm-up: load the model files into the page cache
  for (let round = 1; round <= ROUNDS; round++) {
    bare.push(await barePipeline(texts));
    const run = await system(papers);
    full.push(run.rate);
    rss.push(run.peakRss);
    console.log(
      `round ${round}: bare pipeline ${bare.at(-1)!.toFixed(1)}/s, npm start ${run.rate.toFixed(1)}/s, ratio ${(run.rate / bare.at(-1)!).toFixed(3)}, peak RSS ${(run.peakRss / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const ratios = full.map((f, i) => f / bare[i]);
  console.log(`\n${N} papers, minilm-l6-shaped q8, ${THREADS} threads, batch ${BATCH}, ${MAX_TOKENS} tokens, ${ROUNDS} rounds (medians)`);
  console.log(`bare transformers.js pipeline: ${median(bare).toFixed(1)} papers/s`);
  console.log(`npm start, POST → all indexed: ${median(full).toFixed(1)} papers/s`);
  console.log(`efficiency: ${median(ratios).toFixed(3)} (target ≥ 0.8)`);
  console.log(`peak RSS of the all-in-one process tree: ${(median(rss) / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
