import { Injectable } from '@nestjs/common';
import { PapersStore, SearchFilters, StoredPaper, UserModelsStore } from '@paperfeed/db';
import { categoryAffinity, diversify, explain, FeedCandidate, FeedProfile, FeedReason, interestVectors, scoreCandidates, WeightedPaper } from '@paperfeed/ranking';
import { CorpusIndex, IndexedPaper, toCandidate } from './corpus-index';
import { EvidenceReader, UserEvidence } from './evidence';

/** Ranked depth; pages are cut from it. */
export const FEED_DEPTH = 100;
/** Diversification reorders this many of the best-scored papers (it compares each pick with each of them). */
const MMR_POOL = 3 * FEED_DEPTH;

export interface RankedPaper {
  paper: StoredPaper;
  score: number;
  reasons: FeedReason[];
}

/** The feed's profile of a user, folded from their evidence now, with the worker's learned model if there is one. */
export function foldProfile(evidence: UserEvidence, model: FeedProfile['model']): FeedProfile {
  const weighted = (sign: 1 | -1): WeightedPaper[] =>
    [...evidence.weights.entries()]
      .filter(([id, weight]) => sign * weight > 0 && evidence.features.get(id)?.vector)
      .map(([paperId, weight]) => ({ paperId, vector: evidence.features.get(paperId)!.vector!, weight: Math.abs(weight) }));
  const categoryEvidence = [...evidence.weights.entries()]
    .filter(([id]) => evidence.features.has(id))
    .map(([id, weight]) => ({ categories: evidence.features.get(id)!.categories, weight }));
  const { categories, keywords, authors, mutedKeywords } = evidence.interests;
  return {
    interests: interestVectors(weighted(1)),
    dismissed: weighted(-1),
    categories: categoryAffinity(categoryEvidence),
    model,
    stated: { categories, keywords, authors, mutedKeywords },
    excluded: evidence.excluded,
  };
}

/**
 * A user's feed, computed from their events and interests when asked (an accepted event changes
 * the very next feed: nothing is cached; the learned model, trained by the worker, may be a fold
 * behind). Every paper of the corpus index's window is a candidate. Used by the api (feed, Atom)
 * and the digest worker. The ranking maths is libs/ranking.
 */
@Injectable()
export class FeedRanker {
  constructor(
    private readonly evidence: EvidenceReader,
    private readonly papers: PapersStore,
    private readonly models: UserModelsStore,
    private readonly corpus: CorpusIndex,
  ) {}

  /** The user's feed, best first (up to FEED_DEPTH papers). */
  async rank(userId: string, filters: SearchFilters): Promise<RankedPaper[]> {
    const now = new Date();
    const space = await this.evidence.space();
    const indexed: ReadonlyMap<string, IndexedPaper> = space ? await this.corpus.current(space.id) : new Map();
    const [evidence, stored] = await Promise.all([
      this.evidence.read(userId, now, (paperId) => indexed.get(paperId)?.candidate),
      space ? this.models.find(userId, space.id) : null,
    ]);
    const profile = foldProfile(evidence, stored?.model ?? null);

    const candidates: FeedCandidate[] = [];
    for (const { paper, candidate } of indexed.values()) {
      if (filters.category && !paper.categories.includes(filters.category)) continue;
      if (filters.from && paper.publishedAt < filters.from) continue;
      candidates.push(candidate);
    }
    // Papers of the ranking: from the index, or (cold start) from lists read below.
    const byId = new Map<string, StoredPaper>();
    if (candidates.length === 0) {
      // Nothing embedded yet: never an empty feed while papers exist.
      const lists = await Promise.all(
        (['recent', 'trending'] as const).map((sort) => this.papers.list({ sort, limit: FEED_DEPTH, category: filters.category, since: filters.from }, space?.id ?? null)),
      );
      for (const paper of lists.flat()) {
        if (byId.has(paper.id)) continue;
        byId.set(paper.id, paper);
        candidates.push(toCandidate(paper, null));
      }
    }
    const best = scoreCandidates(candidates, profile, now, MMR_POOL);
    const ranked = explain(diversify(best, 0.75, FEED_DEPTH), profile, now);
    return ranked.map((item) => ({ paper: indexed.get(item.id)?.paper ?? byId.get(item.id)!, score: item.score, reasons: item.reasons }));
  }
}
