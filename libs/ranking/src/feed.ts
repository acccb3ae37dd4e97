/**
 * The personalized feed as pure functions: event weights, interest vectors, scoring with reasons,
 * and MMR diversification. The api gathers the inputs (events, vectors, candidates); everything
 * that decides the order is here.
 */
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
  vector: Float32Array | null;
  publishedAt: Date;
  trendingScore: number;
  categories: string[];
  authors: string[];
  /** Lower-cased title and abstract, for keyword interests and mutes. */
  text: string;
}

export type FeedReason =
  | { type: 'similar'; paperId: string }
  | { type: 'interest'; category: string }
  | { type: 'interest'; keyword: string }
  | { type: 'interest'; author: string }
  | { type: 'trending' }
  | { type: 'fresh' };

export interface ScoredCandidate {
  id: string;
  score: number;
  vector: Float32Array | null;
  reasons: FeedReason[];
}

export const FEED_WEIGHTS = {
  similarity: 1.0,
  /** How much a dismissed paper's near-duplicates are pushed down (similarity above DISMISS_FLOOR). */
  dismissed: 2,
  interest: 0.35,
  fresh: 0.15,
  popular: 0.15,
};
const DISMISS_FLOOR = 0.7;
const SIMILAR_REASON_FLOOR = 0.3;

/** Whole-word, case-insensitive match of a phrase in lower-cased text. */
export function mentions(text: string, phrase: string): boolean {
  const needle = phrase.trim().toLowerCase();
  if (!needle) return false;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(text);
}

/**
 * Scores candidates: similarity to the user's interests, minus closeness to dismissed papers, plus
 * stated interests (categories, keywords, authors), freshness and popularity. Muted keywords and
 * excluded papers (seen: saved, upvoted, dismissed) are dropped. Each item says why it is there.
 */
export function scoreCandidates(
  candidates: FeedCandidate[],
  profile: { interests: Interest[]; dismissed: WeightedPaper[]; stated: StatedInterests; excluded: Set<string> },
  now: Date,
): ScoredCandidate[] {
  const out: ScoredCandidate[] = [];
  for (const candidate of candidates) {
    if (profile.excluded.has(candidate.id)) continue;
    if (profile.stated.mutedKeywords.some((muted) => mentions(candidate.text, muted))) continue;
    const reasons: FeedReason[] = [];
    let similarity = 0;
    let nearest: { paperId: string; similarity: number } | undefined;
    if (candidate.vector) {
      for (const interest of profile.interests) {
        similarity = Math.max(similarity, cosine(interest.centroid, candidate.vector));
        for (const member of interest.members) {
          const s = cosine(member.vector, candidate.vector);
          if (!nearest || s > nearest.similarity) nearest = { paperId: member.paperId, similarity: s };
        }
      }
    }
    if (nearest && nearest.similarity >= SIMILAR_REASON_FLOOR) reasons.push({ type: 'similar', paperId: nearest.paperId });
    const dismissedSimilarity = candidate.vector ? Math.max(0, ...profile.dismissed.map((d) => cosine(d.vector, candidate.vector!))) : 0;
    let stated = 0;
    const category = profile.stated.categories.find((c) => candidate.categories.includes(c));
    if (category) {
      stated += 1;
      reasons.push({ type: 'interest', category });
    }
    const keyword = profile.stated.keywords.find((k) => mentions(candidate.text, k));
    if (keyword) {
      stated += 1;
      reasons.push({ type: 'interest', keyword });
    }
    const author = profile.stated.authors.find((a) => candidate.authors.some((name) => name.toLowerCase() === a.toLowerCase()));
    if (author) {
      stated += 1.5;
      reasons.push({ type: 'interest', author });
    }
    const ageDays = Math.max(0, now.getTime() - candidate.publishedAt.getTime()) / DAY_MS;
    const fresh = 2 ** (-ageDays / FRESH_HALF_LIFE_DAYS);
    const heat = trendingAt(candidate.trendingScore, now);
    const popular = heat / (1 + heat);
    if (fresh >= 0.5) reasons.push({ type: 'fresh' });
    if (heat >= 1) reasons.push({ type: 'trending' });
    if (reasons.length === 0) reasons.push(fresh >= popular ? { type: 'fresh' } : { type: 'trending' });
    const score =
      FEED_WEIGHTS.similarity * similarity -
      FEED_WEIGHTS.dismissed * Math.max(0, dismissedSimilarity - DISMISS_FLOOR) +
      FEED_WEIGHTS.interest * stated +
      FEED_WEIGHTS.fresh * fresh +
      FEED_WEIGHTS.popular * popular;
    out.push({ id: candidate.id, score, vector: candidate.vector, reasons });
  }
  return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

/**
 * Maximal marginal relevance: picks, one at a time, the item best balancing its score against its
 * similarity to what is already picked. Redundancy is the *mean* similarity to the picked items
 * (not the max, which stops mattering once every topic has one pick): a topic that already has
 * many places pays more, so a second interest keeps getting places on the page.
 */
export function diversify(items: ScoredCandidate[], lambda = 0.75, limit = items.length): ScoredCandidate[] {
  const remaining = items.map((item) => ({ item, similaritySum: 0 }));
  const picked: ScoredCandidate[] = [];
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
    if (chosen.item.vector) {
      for (const entry of remaining) {
        if (entry.item.vector) entry.similaritySum += Math.max(0, cosine(chosen.item.vector, entry.item.vector));
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
          return `similar to ${r.paperId}, which you liked`;
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
