/**
 * The personalized feed as pure functions: event weights, interest vectors, scoring with reasons,
 * and MMR diversification. The api gathers the inputs (events, vectors, candidates); everything
 * that decides the order is here.
 */
import { LinearModel, modelScorer } from './learned';
import { trendingAt } from './trending';

export type EventType = 'view' | 'click' | 'save' | 'upvote' | 'dismiss';

/** save > upvote > click > view as positives; a dismissal is a strong negative. */
export const EVENT_WEIGHTS: Record<EventType, number> = { save: 3, upvote: 2, click: 1, view: 0.25, dismiss: -3 };
/** Tastes drift: an event's weight halves every 90 days. */
export const EVENT_HALF_LIFE_DAYS = 90;
/** Freshness halves every 3 days (a daily-papers reader wants this week's papers). */
export const FRESH_HALF_LIFE_DAYS = 3;
export const MAX_INTERESTS = 4;

const DAY_MS = 86_400_000;

export function eventWeight(type: EventType, at: Date, now: Date): number {
  return EVENT_WEIGHTS[type] * 2 ** (-Math.max(0, now.getTime() - at.getTime()) / (EVENT_HALF_LIFE_DAYS * DAY_MS));
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export interface WeightedPaper {
  paperId: string;
  /** Shown in a reason that cites this paper. */
  title: string;
  vector: Float32Array;
  weight: number;
}

export interface Interest {
  centroid: Float32Array;
  weight: number;
  members: WeightedPaper[];
}

function weightedMean(items: WeightedPaper[], dim: number): Float32Array {
  const mean = new Float32Array(dim);
  for (const item of items) for (let i = 0; i < dim; i++) mean[i] += item.vector[i] * item.weight;
  const norm = Math.hypot(...mean) || 1;
  return mean.map((x) => x / norm);
}

/**
 * Several interest vectors rather than one centroid (a person follows more than one topic):
 * weighted spherical k-means over the positive papers, k growing while a new cluster still
 * separates well (its members closer to it than to the others), at most MAX_INTERESTS.
 * Deterministic: seeds are the heaviest paper, then the paper farthest from existing seeds.
 */
export function interestVectors(positives: WeightedPaper[], maxInterests = MAX_INTERESTS): Interest[] {
  const items = positives.filter((p) => p.weight > 0);
  if (items.length === 0) return [];
  const dim = items[0].vector.length;
  const k = Math.min(maxInterests, Math.max(1, Math.round(Math.sqrt(items.length / 2))));
  const seeds = [items.reduce((best, item) => (item.weight > best.weight ? item : best)).vector];
  while (seeds.length < k) {
    const farthest = items.reduce(
      (best, item) => {
        const closeness = Math.max(...seeds.map((seed) => cosine(seed, item.vector)));
        return closeness < best.closeness ? { item, closeness } : best;
      },
      { item: items[0], closeness: Infinity },
    );
    if (farthest.closeness > 0.9) break; // everything is one topic
    seeds.push(farthest.item.vector);
  }
  let centroids = seeds;
  let groups: WeightedPaper[][] = [];
  for (let iteration = 0; iteration < 10; iteration++) {
    groups = centroids.map(() => []);
    for (const item of items) {
      let best = 0;
      centroids.forEach((c, i) => {
        if (cosine(c, item.vector) > cosine(centroids[best], item.vector)) best = i;
      });
      groups[best].push(item);
    }
    centroids = groups.map((group, i) => (group.length ? weightedMean(group, dim) : centroids[i]));
  }
  return groups
    .map((members, i) => ({ centroid: centroids[i], members, weight: members.reduce((sum, m) => sum + m.weight, 0) }))
    .filter((interest) => interest.members.length > 0)
    .sort((a, b) => b.weight - a.weight);
}

export interface StatedInterests {
  categories: string[];
  keywords: string[];
  authors: string[];
  mutedKeywords: string[];
}

export interface FeedCandidate {
  id: string;
  title: string;
  /** Unit length, as the embedder stores it. */
  vector: Float32Array | null;
  publishedAt: Date;
  trendingScore: number;
  categories: string[];
  authors: string[];
  /** Lower-cased title and abstract, for keyword interests and mutes. */
  text: string;
}

export type FeedReason =
  | { type: 'similar'; paperId: string; title: string }
  | { type: 'interest'; category: string }
  | { type: 'interest'; keyword: string }
  | { type: 'interest'; author: string }
  | { type: 'trending' }
  | { type: 'fresh' };

export interface ScoredCandidate {
  id: string;
  score: number;
  candidate: FeedCandidate;
}

/** An item as the feed shows it: its score and why it is there. */
export interface ExplainedCandidate extends ScoredCandidate {
  reasons: FeedReason[];
}

/**
 * Which arXiv categories a user's evidence points to, from -1 to 1: each paper's signed weight
 * goes to its primary category in full and to its cross-lists at half, over the total positive
 * weight. Known at once from the events (the learned model catches up in the worker).
 */
export function categoryAffinity(evidence: { categories: readonly string[]; weight: number }[]): Map<string, number> {
  const affinity = new Map<string, number>();
  let positive = 0;
  for (const paper of evidence) {
    if (paper.weight > 0) positive += paper.weight;
    paper.categories.forEach((category, i) => affinity.set(category, (affinity.get(category) ?? 0) + paper.weight * (i === 0 ? 1 : 0.5)));
  }
  for (const [category, sum] of affinity) affinity.set(category, positive ? Math.max(-1, Math.min(1, sum / positive)) : 0);
  return affinity;
}

/** A candidate's best category: affinity of its primary category, or half that of a cross-list. */
function categoryMatch(affinity: Map<string, number>, categories: readonly string[]): { category: string; score: number } | undefined {
  let best: { category: string; score: number } | undefined;
  for (let i = 0; i < categories.length; i++) {
    const score = (affinity.get(categories[i]) ?? 0) * (i === 0 ? 1 : 0.5);
    if (score > 0 && (!best || score > best.score)) best = { category: categories[i], score };
  }
  return best;
}

/** Everything the feed knows about a user, folded from their events and stated interests. */
export interface FeedProfile {
  interests: Interest[];
  dismissed: WeightedPaper[];
  /** categoryAffinity of the user's evidence. */
  categories: Map<string, number>;
  /** The worker's learned model, once the user has enough evidence (libs/ranking/src/learned.ts). */
  model: LinearModel | null;
  stated: StatedInterests;
  /** Papers never shown again: saved, upvoted, dismissed, named. */
  excluded: Set<string>;
}

export const FEED_WEIGHTS = {
  similarity: 1.0,
  /** How much a dismissed paper's near-duplicates are pushed down (similarity above DISMISS_FLOOR). */
  dismissed: 2,
  interest: 0.35,
  category: 0.5,
  learned: 1.0,
  fresh: 0.15,
  popular: 0.15,
};
const DISMISS_FLOOR = 0.7;
const SIMILAR_REASON_FLOOR = 0.3;
const CATEGORY_REASON_FLOOR = 0.2;

/** A whole-word, case-insensitive matcher of a phrase in lower-cased text (null for a blank phrase). */
export function phraseMatcher(phrase: string): ((text: string) => boolean) | null {
  const needle = phrase.trim().toLowerCase();
  if (!needle) return null;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`);
  return (text) => text.includes(needle) && pattern.test(text);
}

/** The dot product: the cosine of unit vectors (stored embeddings are unit length). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The profile made ready for scoring thousands of candidates: phrases compiled, the model unpacked. */
function compile(profile: FeedProfile) {
  return {
    muted: profile.stated.mutedKeywords.map(phraseMatcher).filter((m) => m !== null),
    keywords: profile.stated.keywords.map((keyword) => ({ keyword, matches: phraseMatcher(keyword)! })).filter((k) => k.matches !== null),
    authors: profile.stated.authors.map((author) => ({ author, lower: author.toLowerCase() })),
    learned: profile.model && modelScorer(profile.model),
  };
}
type CompiledProfile = ReturnType<typeof compile>;

/** What a candidate scores on besides its vector, with the stated interest it matches if any. */
function statedTerms(candidate: FeedCandidate, profile: FeedProfile, compiled: CompiledProfile, now: Date) {
  const category = profile.stated.categories.find((c) => candidate.categories.includes(c));
  const keyword = compiled.keywords.find((k) => k.matches(candidate.text))?.keyword;
  const author = compiled.authors.find((a) => candidate.authors.some((name) => name.toLowerCase() === a.lower))?.author;
  const implicit = categoryMatch(profile.categories, candidate.categories);
  const ageDays = Math.max(0, now.getTime() - candidate.publishedAt.getTime()) / DAY_MS;
  const heat = trendingAt(candidate.trendingScore, now);
  return {
    category,
    keyword,
    author,
    implicit,
    stated: (category ? 1 : 0) + (keyword ? 1 : 0) + (author ? 1.5 : 0),
    fresh: 2 ** (-ageDays / FRESH_HALF_LIFE_DAYS),
    heat,
    popular: heat / (1 + heat),
  };
}

/** How much closeness to a dismissed paper costs (only near-duplicates pay). */
function dismissedPenalty(candidate: FeedCandidate, dismissed: WeightedPaper[]): number {
  if (!candidate.vector) return 0;
  let closest = 0;
  for (const paper of dismissed) closest = Math.max(closest, dot(paper.vector, candidate.vector));
  return FEED_WEIGHTS.dismissed * Math.max(0, closest - DISMISS_FLOOR);
}

/**
 * Scores candidates and returns the best `limit`, best first: similarity to the user's interests,
 * the categories their evidence points to, the learned model's probability, stated interests
 * (categories, keywords, authors), freshness and popularity, minus closeness to dismissed papers.
 * Muted keywords and excluded papers are dropped. Vectors are unit length. It runs over every
 * paper of the feed's window, so the dismissal check (a dot product per dismissed paper) runs only
 * on the best 2 × limit by the other terms (it only lowers scores), and reasons are left to explain.
 */
export function scoreCandidates(
  candidates: FeedCandidate[],
  profile: FeedProfile,
  now: Date,
  limit = candidates.length,
): ScoredCandidate[] {
  const compiled = compile(profile);
  const upper = new Float64Array(candidates.length).fill(-Infinity);
  for (let c = 0; c < candidates.length; c++) {
    const candidate = candidates[c];
    if (profile.excluded.has(candidate.id)) continue;
    if (compiled.muted.some((matches) => matches!(candidate.text))) continue;
    let similarity = 0;
    let learned = 0;
    if (candidate.vector) {
      for (const interest of profile.interests) similarity = Math.max(similarity, dot(interest.centroid, candidate.vector));
      if (compiled.learned) learned = compiled.learned(candidate.vector, candidate.categories);
    }
    const terms = statedTerms(candidate, profile, compiled, now);
    upper[c] =
      FEED_WEIGHTS.similarity * similarity +
      FEED_WEIGHTS.interest * terms.stated +
      FEED_WEIGHTS.category * (terms.implicit?.score ?? 0) +
      FEED_WEIGHTS.learned * learned +
      FEED_WEIGHTS.fresh * terms.fresh +
      FEED_WEIGHTS.popular * terms.popular;
  }
  const shortlist = Math.min(candidates.length, 2 * limit);
  const threshold = shortlist > 0 ? Float64Array.from(upper).sort()[candidates.length - shortlist] : Infinity;
  const out: ScoredCandidate[] = [];
  for (let c = 0; c < candidates.length; c++) {
    if (upper[c] === -Infinity || upper[c] < threshold) continue;
    out.push({ id: candidates[c].id, score: upper[c] - dismissedPenalty(candidates[c], profile.dismissed), candidate: candidates[c] });
  }
  return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, limit);
}

/**
 * The reasons of the items shown: the liked paper each resembles most (if it resembles one), the
 * stated or implicit interest it matches, fresh, trending; an item with none of these gets
 * whichever of fresh or popular it is more.
 */
export function explain(items: ScoredCandidate[], profile: FeedProfile, now: Date): ExplainedCandidate[] {
  const compiled = compile(profile);
  return items.map((item) => {
    const { candidate } = item;
    const reasons: FeedReason[] = [];
    let nearest: { paper: WeightedPaper; similarity: number } | undefined;
    if (candidate.vector) {
      for (const interest of profile.interests) {
        for (const member of interest.members) {
          // A paper is never "similar to" itself (a viewed paper can be both evidence and candidate).
          if (member.paperId === candidate.id) continue;
          const s = cosine(member.vector, candidate.vector);
          if (!nearest || s > nearest.similarity) nearest = { paper: member, similarity: s };
        }
      }
    }
    if (nearest && nearest.similarity >= SIMILAR_REASON_FLOOR)
      reasons.push({ type: 'similar', paperId: nearest.paper.paperId, title: nearest.paper.title });
    const terms = statedTerms(candidate, profile, compiled, now);
    if (terms.category) reasons.push({ type: 'interest', category: terms.category });
    if (terms.keyword) reasons.push({ type: 'interest', keyword: terms.keyword });
    if (terms.implicit && terms.implicit.score >= CATEGORY_REASON_FLOOR && terms.implicit.category !== terms.category) {
      reasons.push({ type: 'interest', category: terms.implicit.category });
    }
    if (terms.author) reasons.push({ type: 'interest', author: terms.author });
    if (terms.fresh >= 0.5) reasons.push({ type: 'fresh' });
    if (terms.heat >= 1) reasons.push({ type: 'trending' });
    if (reasons.length === 0) reasons.push(terms.fresh >= terms.popular ? { type: 'fresh' } : { type: 'trending' });
    return { ...item, reasons };
  });
}

/**
 * Maximal marginal relevance: picks, one at a time, the item best balancing its score against its
 * similarity to what is already picked. Redundancy is the *mean* similarity to the picked items
 * (not the max, which stops mattering once every topic has one pick): a topic that already has
 * many places pays more, so a second interest keeps getting places on the page.
 */
export function diversify<T extends ScoredCandidate>(items: T[], lambda = 0.75, limit = items.length): T[] {
  const remaining = items.map((item) => ({ item, similaritySum: 0 }));
  const picked: T[] = [];
  while (picked.length < limit && remaining.length) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach((entry, index) => {
      const redundancy = picked.length ? entry.similaritySum / picked.length : 0;
      const value = lambda * entry.item.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    const [chosen] = remaining.splice(bestIndex, 1);
    picked.push(chosen.item);
    // Running sums keep this O(picks × candidates) rather than O(picks² × candidates).
    const chosenVector = chosen.item.candidate.vector;
    if (chosenVector) {
      for (const entry of remaining) {
        const vector = entry.item.candidate.vector;
        if (vector) entry.similaritySum += Math.max(0, dot(chosenVector, vector));
      }
    }
  }
  return picked;
}

/** The reasons in words, for mails and feed readers. */
export function reasonText(reasons: FeedReason[]): string {
  return reasons
    .map((r) => {
      switch (r.type) {
        case 'similar':
          return `similar to "${r.title}", which you liked`;
        case 'interest':
          return 'category' in r ? `in ${r.category}` : 'keyword' in r ? `mentions "${r.keyword}"` : `by ${r.author}`;
        case 'trending':
          return 'trending';
        case 'fresh':
          return 'new';
      }
    })
    .join('; ');
}
