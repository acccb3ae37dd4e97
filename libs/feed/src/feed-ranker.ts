import { Injectable, NotFoundException } from '@nestjs/common';
import { EmbeddingSpace, PapersStore, SearchFilters, StoredPaper, StoredProfile, UserProfilesStore, UsersStore } from '@paperfeed/db';
import {
  categoryAffinity,
  diversify,
  explain,
  FeedCandidate,
  FeedProfile,
  FeedReason,
  interestVectors,
  scoreCandidates,
  WeightedPaper,
} from '@paperfeed/ranking';
import { Corpus, CorpusIndex, IndexedPaper, toCandidate } from './corpus-index';
import { EvidenceReader, UserEvidence } from './evidence';

/** How deep a feed can be paged (CONTRACT v1.1: at least 500 items when the corpus holds them). */
export const FEED_DEPTH = 500;
/** Papers embedded since the user's fold that a request scores, newest first. */
const NEW_SINCE_FOLD = 500;
/**
 * Diversification reorders this many of the best-scored papers (it compares each pick with each of
 * them). Fixed, whatever the depth asked for, so the first n papers are the same at every depth.
 */
const MMR_POOL = FEED_DEPTH + 100;

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
      .map(([paperId, weight]) => {
        const { title, vector } = evidence.features.get(paperId)!;
        return { paperId, title, vector: vector!, weight: Math.abs(weight) };
      });
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
 * a full ranking of the window), the newest and most trending papers, and the papers embedded
 * since the fold (the newest NEW_SINCE_FOLD). Without one, or when the filters leave too few of those: the whole window.
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
    const embeddedSince: { entry: IndexedPaper; seq: number }[] = [];
    for (const entry of corpus.papers.values())
      if (entry.vectorSeq > profile.corpusThrough) embeddedSince.push({ entry, seq: Number(entry.vectorSeq) });
    // While papers stream in, a fold that is far behind would have every one of them scored: the
    // newest NEW_SINCE_FOLD (sorted only then, by plain numbers: change numbers are far below 2^53).
    if (embeddedSince.length > NEW_SINCE_FOLD) embeddedSince.sort((a, b) => b.seq - a.seq);
    for (let i = 0; i < Math.min(NEW_SINCE_FOLD, embeddedSince.length); i++) pool.add(embeddedSince[i].entry);
    const passing = [...pool].filter(passes);
    if (passing.length >= 2 * depth) return passing.map((entry) => entry.candidate);
  }
  return [...corpus.papers.values()].filter(passes).map((entry) => entry.candidate);
}

/** Rankings kept per process (least recently used dropped first). */
const CACHED_RANKINGS = 2000;
/** Freshness and decay move with the clock: a ranking is reused within the same minute only. */
const CLOCK_STEP_MS = 60_000;
/** Users whose folded evidence is kept (FeedRanker.userSide; least recently used dropped first). */
const CACHED_USER_SIDES = 1000;

interface UserSide {
  /** `inputs fingerprint|minute` */
  version: string;
  /** The evidence papers and the corpus index entries their features came from. */
  evidence: [string, FeedCandidate][];
  profile: FeedProfile;
  stored: StoredProfile | null;
}

/**
 * A user's feed, computed when asked from their events, interests and the corpus as they are now
 * (an accepted event changes the very next feed). The worker's fold adds the learned model and a
 * shortlist of candidates; a fold that is behind leaves those a few events old, never the rest.
 * A ranking is reused only while every input is unchanged (the user's inputs fingerprint, the
 * corpus's change number, the filters, the minute): the next page, a reload. Used by the api
 * (feed, Atom) and the digest worker. The ranking maths is libs/ranking.
 */
@Injectable()
export class FeedRanker {
  constructor(
    private readonly evidence: EvidenceReader,
    private readonly papers: PapersStore,
    private readonly profiles: UserProfilesStore,
    private readonly corpus: CorpusIndex,
    private readonly users: UsersStore,
  ) {}

  private readonly rankings = new Map<string, { version: string; depth: number; ranked: RankedPaper[] }>();
  private readonly userSides = new Map<string, UserSide>();

  /**
   * The user's feed, best first, `depth` papers at most. Diversification is greedy, so the first n
   * papers are the same whatever the depth: a page needs only the depth up to its end.
   */
  async rank(userId: string, filters: SearchFilters, depth: number): Promise<RankedPaper[]> {
    depth = Math.min(depth, FEED_DEPTH);
    const space = await this.evidence.space();
    const inputs = await this.users.feedVersion(userId);
    if (!inputs) throw new NotFoundException(`user ${userId} not found`);
    const corpus = space ? await this.corpus.current(space.id, inputs.corpus) : null;
    const key = `${userId}|${filters.category ?? ''}|${filters.from?.toISOString() ?? ''}`;
    // The database's latest paper change, not the index's: a ranking from the lists (nothing
    // embedded yet) must also go stale when papers arrive.
    const minute = Math.floor(Date.now() / CLOCK_STEP_MS);
    const version = `${inputs.inputs}|${inputs.corpus}|${minute}`;
    const cached = this.rankings.get(key);
    if (cached?.version === version && (cached.depth >= depth || cached.ranked.length < cached.depth)) {
      this.rankings.delete(key); // most recently used goes last
      this.rankings.set(key, cached);
      return cached.ranked.slice(0, depth);
    }
    const ranked = await this.compute(userId, space, corpus, filters, depth, `${inputs.inputs}|${minute}`);
    this.rankings.delete(key);
    this.rankings.set(key, { version, depth, ranked });
    if (this.rankings.size > CACHED_RANKINGS) this.rankings.delete(this.rankings.keys().next().value!);
    return ranked;
  }

  /**
   * The user's side of a ranking: their evidence folded, and the worker's stored fold. While papers
   * stream in, every request is a full ranking (the corpus changed), but this side changes only
   * with the user's inputs: it is reused, like a ranking, while the inputs fingerprint and the
   * minute are unchanged and every evidence paper is still the very same entry of the corpus
   * index (a changed paper or vector is a new entry). Users with stated authors are read every
   * time (their authors' new papers are evidence).
   */
  private async userSide(
    userId: string,
    space: EmbeddingSpace | null,
    corpus: Corpus | null,
    now: Date,
    version: string,
  ): Promise<UserSide> {
    const cached = this.userSides.get(userId);
    if (cached?.version === version && corpus && cached.evidence.every(([id, entry]) => corpus.papers.get(id)?.candidate === entry)) {
      this.userSides.delete(userId); // most recently used goes last
      this.userSides.set(userId, cached);
      return cached;
    }
    const [evidence, stored] = await Promise.all([
      this.evidence.read(userId, now, (paperId) => corpus?.papers.get(paperId)?.candidate),
      space ? this.profiles.find(userId, space.id) : null,
    ]);
    const side: UserSide = { version, evidence: [], profile: foldProfile(evidence, stored?.model ?? null), stored };
    this.userSides.delete(userId);
    if (!corpus || evidence.interests.authors.length > 0) return side;
    for (const id of evidence.weights.keys()) {
      const entry = corpus.papers.get(id)?.candidate;
      if (!entry) return side; // read from the database: not known to be current later
      side.evidence.push([id, entry]);
    }
    this.userSides.set(userId, side);
    if (this.userSides.size > CACHED_USER_SIDES) this.userSides.delete(this.userSides.keys().next().value!);
    return side;
  }

  private async compute(
    userId: string,
    space: EmbeddingSpace | null,
    corpus: Corpus | null,
    filters: SearchFilters,
    depth: number,
    userVersion: string,
  ): Promise<RankedPaper[]> {
    const now = new Date();
    const { profile, stored } = await this.userSide(userId, space, corpus, now, userVersion);
    const candidates = corpus ? candidatePapers(corpus, stored, filters, depth) : [];
    // Papers of the ranking: from the index, or (cold start) from lists read below.
    const byId = new Map<string, StoredPaper>();
    if (candidates.length === 0) {
      // Nothing embedded yet: never an empty feed while papers exist.
      const lists = await Promise.all(
        (['recent', 'trending'] as const).map((sort) =>
          this.papers.list({ sort, limit: depth, category: filters.category, since: filters.from }, space?.id ?? null),
        ),
      );
      for (const paper of lists.flat()) {
        if (byId.has(paper.id)) continue;
        byId.set(paper.id, paper);
        candidates.push(toCandidate(paper, null));
      }
    }
    const best = scoreCandidates(candidates, profile, now, MMR_POOL);
    const ranked = explain(diversify(best, 0.75, depth), profile, now);
    return ranked.map((item) => ({
      paper: corpus?.papers.get(item.id)?.paper ?? byId.get(item.id)!,
      score: item.score,
      reasons: item.reasons,
    }));
  }
}
