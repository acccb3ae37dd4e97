/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): an item's fused score is
 * Σ_lists 1 / (k_list + rank), rank counted from 1. It needs no calibration between lists
 * (full-text ranks and cosine similarities are not comparable). k = 60 is the classic, flat
 * discount; a list whose head is more trustworthy gets a smaller k. Ties are broken by first
 * appearance, so the order is deterministic.
 */
export const RRF_K = 60;

export interface RankedList {
  ids: string[];
  /** Rank discount; smaller trusts the head of this list more. */
  k?: number;
}

export function reciprocalRankFusion(lists: RankedList[]): { id: string; score: number }[] {
  const scores = new Map<string, { score: number; first: number }>();
  let position = 0;
  for (const { ids, k = RRF_K } of lists) {
    ids.forEach((id, index) => {
      const entry = scores.get(id) ?? { score: 0, first: position++ };
      entry.score += 1 / (k + index + 1);
      scores.set(id, entry);
    });
  }
  return [...scores.entries()].sort(([, a], [, b]) => b.score - a.score || a.first - b.first).map(([id, { score }]) => ({ id, score }));
}

/**
 * k for a full-text list that requires every query word (see PapersStore.keywordSearch). Chosen so
 * that 1/(k+1) − 1/(k+2) > 1/(RRF_K+1): a keyword hit never loses its place to the next keyword
 * hit merely because the semantic side also found that one. Semantic evidence re-orders keyword
 * hits further down and fills in where the words do not match.
 */
export const EXACT_KEYWORD_K = 5;
