/**
 * Fusions the CSFCube ablation compares against the product's calibrated sum (`@paperfeed/ranking`
 * similarity.ts): both depend on the candidate set, so they were rejected (bench/RESULTS.md).
 */
import { calibrate } from '@paperfeed/ranking';

/** Reciprocal-rank fusion of two score lists over the same candidates (for comparison only). */
export function rrf(lexical: number[], dense: number[], k = 60): number[] {
  const rank = (xs: number[]) => {
    const order = xs.map((_, i) => i).sort((a, b) => xs[b] - xs[a]);
    const r = new Array<number>(xs.length);
    order.forEach((i, pos) => (r[i] = pos + 1));
    return r;
  };
  const rl = rank(lexical);
  const rd = rank(dense);
  return lexical.map((_, i) => 1 / (k + rl[i]) + 1 / (k + rd[i]));
}

/** z-scores within one candidate list (for comparison only: depends on the candidate set). */
export function zWithin(xs: number[]): number[] {
  const c = calibrate(xs);
  return xs.map((x) => (x - c.mean) / c.std);
}
