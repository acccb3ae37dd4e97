/** CSFCube development fold: loading, scoring (NDCG@20 over each pool), embedding with a cache. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const DATA_DIR = process.env.CSFCUBE_DIR ?? '/work/shared/data/csfcube-dev';
export const MODELS_DIR = process.env.MODELS_DIR ?? '/work/shared/models';
export const CACHE_DIR = path.resolve(__dirname, '..', '.cache');

export interface Paper {
  id: string;
  title: string;
  abstract: string;
  year: number | null;
}

export interface Query {
  paper: string;
  facet: string;
  /** candidate id → grade 0–3; the pool is exactly these candidates. */
  grades: Map<string, number>;
}

export function loadPapers(): Paper[] {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(DATA_DIR, 'csfcube_papers.jsonl.gz'))).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const p = JSON.parse(l);
      return { id: String(p.paper_id), title: p.title ?? '', abstract: p.abstract ?? '', year: typeof p.year === 'number' ? p.year : null };
    });
}

export function loadQueries(): Query[] {
  const lines = fs.readFileSync(path.join(DATA_DIR, 'csfcube_dev_qrels.tsv'), 'utf8').split('\n').slice(1);
  const byKey = new Map<string, Query>();
  for (const line of lines) {
    if (!line.trim()) continue;
    const [paper, facet, candidate, grade] = line.split('\t');
    const key = `${paper}/${facet}`;
    if (!byKey.has(key)) byKey.set(key, { paper, facet, grades: new Map() });
    byKey.get(key)!.grades.set(candidate, Number(grade));
  }
  return [...byKey.values()];
}

/** NDCG@k with gain 2^grade − 1 and log2(rank + 1) discount; the ideal order is the pool's grades sorted. */
export function ndcgAt(ranked: string[], grades: Map<string, number>, k = 20): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => (dcg += (2 ** (grades.get(id) ?? 0) - 1) / Math.log2(i + 2)));
  const ideal = [...grades.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Ranks a pool by score (descending; ties by id for determinism). */
export function rankPool(pool: string[], score: (id: string) => number): string[] {
  const scored = pool.map((id) => ({ id, s: score(id) }));
  scored.sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1));
  return scored.map((x) => x.id);
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Embeds `title\n\nabstract` (the product's paperEmbeddingText) of every paper, cached by model
 * and paper count in bench/.cache. Degenerate (non-finite) vectors become all-zero: a zero vector
 * has cosine 0 with everything, as the product must treat a paper it could not embed.
 */
export async function embedPapers(
  papers: Paper[],
  model: string,
  dtype: 'fp32' | 'q8',
): Promise<{ vectors: Float32Array[]; degenerate: number }> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `csfcube-${model}-${dtype}-${papers.length}.f32`);
  let dim: number;
  let flat: Float32Array;
  if (fs.existsSync(file)) {
    const buf = fs.readFileSync(file);
    flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    dim = flat.length / papers.length;
  } else {
    while (fs.existsSync('/tmp/paperfeed-bench.lock')) {
      console.error('waiting for /tmp/paperfeed-bench.lock to go (someone is timing)…');
      await new Promise((r) => setTimeout(r, 10_000));
    }
    const { env, pipeline } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = MODELS_DIR;
    const extract = (await pipeline('feature-extraction', model, {
      dtype,
      device: 'cpu',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    } as never)) as unknown as (t: string[], o: object) => Promise<{ data: Float32Array; dims: number[] }>;
    const parts: Float32Array[] = [];
    const batch = 8;
    const started = Date.now();
    for (let i = 0; i < papers.length; i += batch) {
      const texts = papers.slice(i, i + batch).map((p) => `${p.title}\n\n${p.abstract}`);
      const t = await extract(texts, { pooling: 'mean', normalize: true });
      parts.push(new Float32Array(t.data));
      if (i % 800 === 0) console.error(`  ${model}: ${i}/${papers.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    dim = parts[0].length / Math.min(batch, papers.length);
    flat = new Float32Array(papers.length * dim);
    let offset = 0;
    for (const p of parts) {
      flat.set(p, offset);
      offset += p.length;
    }
    fs.writeFileSync(file, Buffer.from(flat.buffer));
  }
  let degenerate = 0;
  const vectors = papers.map((_, i) => {
    const v = flat.slice(i * dim, (i + 1) * dim);
    if (!v.every(Number.isFinite)) {
      degenerate++;
      v.fill(0);
    }
    return v;
  });
  return { vectors, degenerate };
}
