import { Injectable } from '@nestjs/common';
import { PapersStore, SearchFilters, StoredPaper, StoredProfile, UserProfilesStore } from '@paperfeed/db';
import { categoryAffinity, diversify, explain, FeedCandidate, FeedProfile, FeedReason, interestVectors, scoreCandidates, WeightedPaper } from '@paperfeed/ranking';
import { Corpus, CorpusIndex, IndexedPaper, toCandidate } from './corpus-index';
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
 * Which indexed papers to score for a user. With a fold from the worker: its shortlist (the best of
 * a full ranking of the window), the newest and most trending papers, and every paper embedded
 * since the fold. Without one, or when the filters leave too few of those: the whole window.
 */
function candidatePapers(corpus: Corpus, profile: StoredProfile | null, filters: SearchFilters, depth: number): FeedCandidate[] {
  const passes = ({ paper }: IndexedPaper) =>
    (!filters.category || paper.categories.includes(filters.category)) && (!filters.from || paper.publishedAt >= filters.from);
  if (profile) {
    const pool = new Set<IndexedPaper>([...corpus.newest(), ...corpus.trending()]);
    for (const id of profile.shortlist) {
      const entry = corpus.papers.get(id);
      if (entry) pool.add(entry);
    }
    for (const entry of corpus.papers.values()) if (entry.vectorSeq > profile.corpusThrough) pool.add(entry);
    const passing = [...pool].filter(passes);
    if (passing.length >= 2 * depth) return passing.map((entry) => entry.candidate);
  }
  return [...corpus.papers.values()].filter(passes).map((entry) => entry.candidate);
}

/**
 * A user's feed, computed when asked from their events, interests and the corpus as they are now
 * (an accepted event changes the very next feed). The worker's fold adds the learned model and a
 * shortlist of candidates; a fold that is behind leaves those a few events old, never the rest.
 * Used by the api (feed, Atom) and the digest worker. The ranking maths is libs/ranking.
 */
@Injectable()
export class FeedRanker {
  constructor(
    private readonly evidence: EvidenceReader,
    private readonly papers: PapersStore,
    private readonly profiles: UserProfilesStore,
    private readonly corpus: CorpusIndex,
  ) {}

  /**
   * The user's feed, best first, `depth` papers at most. Diversification is greedy, so the first n
   * papers are the same whatever the depth: a page needs only the depth up to its end.
   */
  async rank(userId: string, filters: SearchFilters, depth = FEED_DEPTH): Promise<RankedPaper[]> {
    const now = new Date();
    depth = Math.min(depth, FEED_DEPTH);
    const space = await this.evidence.space();
    const corpus = space ? await this.corpus.current(space.id) : null;
    const [evidence, stored] = await Promise.all([
      this.evidence.read(userId, now, (paperId) => corpus?.papers.get(paperId)?.candidate),
      space ? this.profiles.find(userId, space.id) : null,
    ]);
    const profile = foldProfile(evidence, stored?.model ?? null);
    const candidates = corpus ? candidatePapers(corpus, stored, filters, depth) : [];
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
    const ranked = explain(diversify(best, 0.75, depth), profile, now);
    return ranked.map((item) => ({ paper: corpus?.papers.get(item.id)?.paper ?? byId.get(item.id)!, score: item.score, reasons: item.reasons }));
  }
}
