/**
 * Fused lexical + dense similarity and pseudo-relevance feedback for `similar` (issue 13; measured
 * in bench/RESULTS.md, "Similar papers on CSFCube"): pure functions over l2-normalised vectors.
 *
 * Fusion: each signal is put on the same scale by the corpus's own distribution of that
 * similarity over random pairs of papers (z = (s − mean) / std), then mixed with one weight λ:
 *   fused = λ · z_lexical + (1 − λ) · z_dense.
 * Unlike per-candidate-list z-scores or ranks (RRF), the calibration does not depend on which
 * candidates happen to be scored, so a paper's score is the same whether it came from the pool,
 * the HNSW top-k or the inverted lists, and it is two numbers per model kept beside the index.
 *
 * PRF (Rocchio 1971, "expanding a paper by its nearest neighbours"): the query paper's lexical and
 * dense vectors are each moved toward the mean of its k nearest neighbours in the corpus (by the
 * fused similarity), q' = normalise(q + β · mean(neighbours)), and candidates are scored with q'.
 */
import { dot } from './feed';
import { SparseVector, sparseCombine, sparseDot } from './lexical';

export interface Calibration {
  mean: number;
  std: number;
}

export interface FusionCalibration {
  lexical: Calibration;
  dense: Calibration;
}

export function normalise(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  return n > 0 && Number.isFinite(n) ? v.map((x) => x / n) : new Float32Array(v.length);
}

/** Mean and standard deviation of a sample of similarities. */
export function calibrate(sample: number[]): Calibration {
  const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
  const variance = sample.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, sample.length - 1);
  return { mean, std: Math.sqrt(variance) || 1 };
}

/**
 * The calibration of both similarities from `pairs` random pairs of distinct papers (seeded, so
 * deterministic). In the product: recomputed now and then (it moves slowly), stored per model.
 */
export function calibrateCorpus(lexical: SparseVector[], dense: Float32Array[], pairs = 20_000, seed = 1): FusionCalibration {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
  const l: number[] = [];
  const d: number[] = [];
  const n = lexical.length;
  for (let p = 0; p < pairs; p++) {
    const i = Math.floor(next() * n);
    let j = Math.floor(next() * (n - 1));
    if (j >= i) j++;
    l.push(sparseDot(lexical[i], lexical[j]));
    d.push(dot(dense[i], dense[j]));
  }
  return { lexical: calibrate(l), dense: calibrate(d) };
}

export const DEFAULT_LEXICAL_WEIGHT = 0.5;

/** λ · z_lexical + (1 − λ) · z_dense. λ = 1 is lexical alone, λ = 0 dense alone. */
export function fuse(lexical: number, dense: number, calibration: FusionCalibration, lexicalWeight = DEFAULT_LEXICAL_WEIGHT): number {
  const zl = (lexical - calibration.lexical.mean) / calibration.lexical.std;
  const zd = (dense - calibration.dense.mean) / calibration.dense.std;
  return lexicalWeight * zl + (1 - lexicalWeight) * zd;
}

/** A paper as the similar-papers scorer sees it. A zero dense vector (a degenerate embedding) scores 0 everywhere. */
export interface PaperRepresentation {
  lexical: SparseVector;
  dense: Float32Array;
}

export function fusedSimilarity(
  a: PaperRepresentation,
  b: PaperRepresentation,
  calibration: FusionCalibration,
  lexicalWeight = DEFAULT_LEXICAL_WEIGHT,
): number {
  return fuse(sparseDot(a.lexical, b.lexical), dot(a.dense, b.dense), calibration, lexicalWeight);
}

/** Indices of the k highest scores, excluding `exclude`, highest first (ties by index). */
export function topIndices(scores: ArrayLike<number>, k: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (exclude.has(i) || !Number.isFinite(scores[i])) continue;
    if (out.length < k) {
      out.push(i);
      out.sort((a, b) => scores[b] - scores[a] || a - b);
    } else if (scores[i] > scores[out[k - 1]]) {
      out[k - 1] = i;
      out.sort((a, b) => scores[b] - scores[a] || a - b);
    }
  }
  return out;
}

export interface PrfOptions {
  /** Neighbours that expand the query paper. 0 turns PRF off. */
  k: number;
  /** Weight of the neighbours' mean against the query paper's own vector (which has weight 1). */
  beta: number;
  /** Keep this many heaviest terms of the expanded lexical vector (0 = all). */
  keepTerms: number;
  /** Expand the lexical side, the dense side, or both. */
  expandLexical: boolean;
  expandDense: boolean;
}

/** Classic PRF depth (10) and a Rocchio β below the query's own weight (0.5): not tuned on CSFCube. */
export const DEFAULT_PRF: PrfOptions = { k: 10, beta: 0.5, keepTerms: 0, expandLexical: true, expandDense: true };

/** Rocchio: normalise(q + β · mean(neighbours)) for both sides, as options say. */
export function expandQuery(
  query: PaperRepresentation,
  neighbours: PaperRepresentation[],
  options: PrfOptions = DEFAULT_PRF,
): PaperRepresentation {
  if (!neighbours.length || options.k === 0) return query;
  const share = options.beta / neighbours.length;
  const lexical = options.expandLexical
    ? sparseCombine(
        [{ vector: query.lexical, weight: 1 }, ...neighbours.map((n) => ({ vector: n.lexical, weight: share }))],
        options.keepTerms,
      )
    : query.lexical;
  let dense = query.dense;
  if (options.expandDense) {
    const sum = new Float32Array(query.dense);
    for (const n of neighbours) for (let i = 0; i < sum.length; i++) sum[i] += share * n.dense[i];
    dense = normalise(sum);
  }
  return { lexical, dense };
}

export interface SimilarOptions {
  lexicalWeight: number;
  prf: PrfOptions;
}

export const DEFAULT_SIMILAR: SimilarOptions = { lexicalWeight: DEFAULT_LEXICAL_WEIGHT, prf: DEFAULT_PRF };

/**
 * The `similar` ranking over a candidate set (the product's: dense top-k ∪ lexical top-k, without
 * the query paper): score every candidate by the fused similarity, take the best `prf.k` as the
 * query paper's neighbours, expand the query by them (Rocchio) and score the candidates again.
 * Two passes over ~200 candidates; no corpus scan.
 */
export function rankSimilar<T>(
  query: PaperRepresentation,
  candidates: { item: T; paper: PaperRepresentation }[],
  calibration: FusionCalibration,
  options: SimilarOptions = DEFAULT_SIMILAR,
): { item: T; score: number }[] {
  const first = candidates.map((c) => fusedSimilarity(query, c.paper, calibration, options.lexicalWeight));
  let scores = first;
  if (options.prf.k > 0) {
    const neighbours = topIndices(first, options.prf.k).map((i) => candidates[i].paper);
    const expanded = expandQuery(query, neighbours, options.prf);
    scores = candidates.map((c) => fusedSimilarity(expanded, c.paper, calibration, options.lexicalWeight));
  }
  return candidates.map((c, i) => ({ item: c.item, score: scores[i] })).sort((a, b) => b.score - a.score);
}
