import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpacesStore, EventsStore, PapersStore, SearchFilters, StoredPaper, UsersStore } from '@paperfeed/db';
import { modelKeyOf } from '@paperfeed/embeddings';
import { diversify, eventWeight, FeedCandidate, FeedReason, interestVectors, scoreCandidates, WeightedPaper } from '@paperfeed/ranking';

/** Events read per request: recent behaviour is what the feed answers to. */
const EVENTS_READ = 500;
/** Candidates from each source (nearest per interest, fresh, trending, stated interests). */
const PER_SOURCE = 100;
/** Ranked depth; pages are cut from it. */
export const FEED_DEPTH = 200;
/** Weight of a paper the user named (interests.papers) or wrote (interests.authors), as a save and an upvote. */
const NAMED_PAPER_WEIGHT = 3;
const AUTHORED_PAPER_WEIGHT = 2;

export interface RankedPaper {
  paper: StoredPaper;
  score: number;
  reasons: FeedReason[];
}

/**
 * A user's feed, computed from their events and interests when asked (an accepted event changes
 * the very next feed: nothing is cached). Used by the api (feed, Atom) and the digest worker. The
 * ranking maths is libs/ranking/src/feed.ts.
 */
@Injectable()
export class FeedRanker {
  private readonly modelKey: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersStore,
    private readonly events: EventsStore,
    private readonly papers: PapersStore,
    private readonly spaces: EmbeddingSpacesStore,
  ) {
    this.modelKey = modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  /** The user's feed, best first (up to FEED_DEPTH papers). */
  async rank(userId: string, filters: SearchFilters): Promise<RankedPaper[]> {
    const user = await this.users.view(userId);
    if (!user) throw new NotFoundException(`user ${userId} not found`);
    const space = await this.spaces.find(this.modelKey);
    const now = new Date();
    const events = await this.events.recent(userId, EVENTS_READ);

    // Evidence: each paper's summed event weight, plus the papers the user named or wrote.
    const evidence = new Map<string, number>();
    const add = (paperId: string, weight: number) => evidence.set(paperId, (evidence.get(paperId) ?? 0) + weight);
    for (const event of events) add(event.paperId, eventWeight(event.type, event.at, now));
    for (const paperId of user.interests.papers) add(paperId, NAMED_PAPER_WEIGHT);
    const authored = await this.papers.byAuthors(user.interests.authors, {}, PER_SOURCE, space?.id ?? null);
    for (const paper of authored) add(paper.id, AUTHORED_PAPER_WEIGHT);
    // Never again: what the user saved, upvoted or dismissed, and the papers they named.
    const excluded = new Set([...events.filter((e) => e.type !== 'view' && e.type !== 'click').map((e) => e.paperId), ...user.interests.papers]);

    const evidenceVectors = space ? await this.papers.vectors(space.id, [...evidence.keys()]) : new Map<string, Float32Array>();
    const weighted = (sign: 1 | -1): WeightedPaper[] =>
      [...evidence.entries()]
        .filter(([id, weight]) => sign * weight > 0 && evidenceVectors.has(id))
        .map(([paperId, weight]) => ({ paperId, vector: evidenceVectors.get(paperId)!, weight: Math.abs(weight) }));
    const interests = interestVectors(weighted(1));
    const dismissed = weighted(-1);

    // Candidates: nearest papers per interest, fresh, trending, and the stated interests.
    const spaceId = space?.id ?? null;
    const sources: Promise<StoredPaper[]>[] = [
      this.papers.list({ sort: 'recent', limit: PER_SOURCE, category: filters.category, since: filters.from }, spaceId),
      this.papers.list({ sort: 'trending', limit: PER_SOURCE, category: filters.category, since: filters.from }, spaceId),
      this.papers.byAuthors(user.interests.authors, filters, PER_SOURCE, spaceId),
      ...user.interests.categories
        .filter((category) => !filters.category || category === filters.category)
        .map((category) => this.papers.list({ sort: 'recent', limit: PER_SOURCE, category, since: filters.from }, spaceId)),
      ...user.interests.keywords.map((keyword) =>
        this.papers.keywordSearch(keyword, filters, PER_SOURCE, spaceId).then((hits) => hits.map((h) => h.paper)),
      ),
      ...(space
        ? interests.map((interest) =>
            this.papers.semanticSearch(interest.centroid, space, filters, PER_SOURCE).then((hits) => hits.map((h) => h.paper)),
          )
        : []),
    ];
    const byId = new Map<string, StoredPaper>();
    for (const list of await Promise.all(sources)) for (const paper of list) byId.set(paper.id, paper);
    const candidateVectors = space ? await this.papers.vectors(space.id, [...byId.keys()]) : new Map<string, Float32Array>();
    const candidates: FeedCandidate[] = [...byId.values()].map((paper) => ({
      id: paper.id,
      vector: candidateVectors.get(paper.id) ?? null,
      publishedAt: paper.publishedAt,
      trendingScore: paper.trendingScore,
      categories: paper.categories,
      authors: paper.authors,
      text: `${paper.title}\n${paper.abstract}`.toLowerCase(),
    }));
    const stated = { categories: user.interests.categories, keywords: user.interests.keywords, authors: user.interests.authors, mutedKeywords: user.interests.mutedKeywords };
    const ranked = diversify(scoreCandidates(candidates, { interests, dismissed, stated, excluded }, now), 0.75, FEED_DEPTH);
    return ranked.map((item) => ({ paper: byId.get(item.id)!, score: item.score, reasons: item.reasons }));
  }
}
