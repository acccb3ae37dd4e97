/**
 * Issue #2 figures: how long the worker's main thread is blocked while embedding, and throughput,
 * for inference on the main thread (baseline), in a worker thread, and in a child process. Each
 * mode runs in a fresh process (onnxruntime-node loads once per process), several rounds.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/event-loop.ts [papers=400] [rounds=3]
 */
import { execFileSync } from 'node:child_process';
import { EmbedderOptions, OffLoopEmbedder, paperEmbeddingText } from '@paperfeed/embeddings';
import { TransformersEmbedder } from '../libs/embeddings/src/transformers-embedder';
import { median, MINILM } from './support';
import { loadArxivPapers } from '../tools/arxiv-data';

type Mode = 'main-thread' | 'thread' | 'process';
const N = Number(process.argv[2] === '--child' ? process.argv[4] : (process.argv[2] ?? 400));
const ROUNDS = Number(process.argv[3] ?? 3);
const JOB = 32; // papers per embed job, as the worker queues them

const options: EmbedderOptions = {
  model: MINILM,
  dtype: 'q8',
  maxTokens: 256,
  batchSize: 8,
  threads: 2,
  cacheDir: '/tmp',
  allowRemoteModels: false,
};

/** Child: embeds N papers in jobs of 32 (two in flight, like the worker) while a 10 ms timer ticks. */
async function measure(mode: Mode): Promise<void> {
  const embedder = mode === 'main-thread' ? await TransformersEmbedder.load(options) : await OffLoopEmbedder.start(options, mode);
  const texts = loadArxivPapers(N).map((r) => paperEmbeddingText({ title: r.title, abstract: r.summary }));
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  const jobs: Promise<unknown>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const chunk = texts.slice(next, next + JOB);
      next += JOB;
      await embedder.embed(chunk);
    }
  };
  jobs.push(worker(), worker());
  await Promise.all(jobs);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  await embedder.close();
  process.stdout.write(JSON.stringify({ rate: texts.length / seconds, maxGapMs: maxGap }) + '\n');
}

async function main(): Promise<void> {
  const results: Record<Mode, { rate: number; maxGapMs: number }[]> = { 'main-thread': [], thread: [], process: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of Object.keys(results) as Mode[]) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', mode, String(N)], { encoding: 'utf8' });
      const result = JSON.parse(out.trim().split('\n').pop()!);
      results[mode].push(result);
      console.log(`round ${round} ${mode}: ${result.rate.toFixed(1)} papers/s, longest 10 ms-timer gap ${result.maxGapMs.toFixed(1)} ms`);
    }
  }
  console.log(`\n${N} papers, minilm-l6-shaped q8, 2 threads, jobs of ${JOB}, 2 in flight (medians of ${ROUNDS})`);
  for (const mode of Object.keys(results) as Mode[]) {
    const r = results[mode];
    console.log(
      `${mode.padEnd(12)} ${median(r.map((x) => x.rate)).toFixed(1)} papers/s, longest gap ${median(r.map((x) => x.maxGapMs)).toFixed(1)} ms (worst ${Math.max(...r.map((x) => x.maxGapMs)).toFixed(1)} ms)`,
    );
  }
}

if (process.argv[2] === '--child') {
  measure(process.argv[3] as Mode).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
