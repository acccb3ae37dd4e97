/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): an item's fused score is
 * Σ_lists 1 / (k + rank), rank counted from 1. It needs no score calibration between lists (BM25-ish
 * ranks and cosine similarities are not comparable), and k = 60 damps the head of each list.
 * Ties are broken by first appearance, so the order is deterministic.
 */
export const RRF_K = 60;

export function reciprocalRankFusion(lists: string[][], k = RRF_K): { id: string; score: number }[] {
  const scores = new Map<string, { score: number; first: number }>();
  let position = 0;
  for (const list of lists) {
    list.forEach((id, index) => {
      const entry = scores.get(id) ?? { score: 0, first: position++ };
      entry.score += 1 / (k + index + 1);
      scores.set(id, entry);
    });
  }
  return [...scores.entries()]
    .sort(([, a], [, b]) => b.score - a.score || a.first - b.first)
    .map(([id, { score }]) => ({ id, score }));
}
