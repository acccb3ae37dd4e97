/**
 * Trending: every signal a paper receives counts with a weight that halves every
 * TRENDING_HALF_LIFE_HOURS after it happened, and papers rank by the sum:
 *
 *   trending(now) = Σ_i w_i · 2^(−(now − t_i) / H)
 *
 * Signals: the paper's publication (weight 1 + source upvotes, at its publication time: fresh papers
 * rank by freshness before anyone votes), each user upvote (weight 1, at the time of the vote), and
 * each interaction (INTERACTION_WEIGHTS, at the time it happened).
 *
 * Multiplying every paper's sum by the same 2^((now − T0)/H) does not change the order, so the
 * stored score is log2 Σ_i w_i · 2^((t_i − T0)/H): it does not depend on `now`, changes only when a
 * paper receives a signal, and can be indexed. Computed in log space (log-sum-exp) so that years
 * of 2^(t/H) never overflow.
 */
export const TRENDING_HALF_LIFE_HOURS = 24;

/** Scores are measured from here; any fixed instant works. */
const EPOCH_MS = Date.UTC(2020, 0, 1);
const HOUR_MS = 3_600_000;

export interface TrendingSignal {
  weight: number;
  at: Date;
}

/** log2(w · 2^((t − T0)/H)) for one signal. */
function logContribution(signal: TrendingSignal, halfLifeHours: number): number {
  return Math.log2(signal.weight) + (signal.at.getTime() - EPOCH_MS) / (halfLifeHours * HOUR_MS);
}

/** The stored, time-invariant trending score of a paper with these signals (all weights > 0). */
export function trendingScore(signals: TrendingSignal[], halfLifeHours = TRENDING_HALF_LIFE_HOURS): number {
  const logs = signals.filter((s) => s.weight > 0).map((s) => logContribution(s, halfLifeHours));
  if (logs.length === 0) return -Infinity;
  const max = Math.max(...logs);
  return max + Math.log2(logs.reduce((sum, x) => sum + 2 ** (x - max), 0));
}

/** What a user's interaction with a paper adds to its trending sum (an upvote adds 1). */
export const INTERACTION_WEIGHTS = { save: 0.5, click: 0.2, view: 0.05 } as const;
export type Interaction = keyof typeof INTERACTION_WEIGHTS;

/** The signals of a paper: its publication (carrying source upvotes), its upvotes and its interactions. */
export function paperSignals(
  paper: { publishedAt: Date; sourceUpvotes: number },
  upvoteTimes: Date[],
  interactions: { type: Interaction; at: Date }[] = [],
): TrendingSignal[] {
  return [
    { weight: 1 + paper.sourceUpvotes, at: paper.publishedAt },
    ...upvoteTimes.map((at) => ({ weight: 1, at })),
    ...interactions.map((i) => ({ weight: INTERACTION_WEIGHTS[i.type], at: i.at })),
  ];
}

/** What a stored score is worth at `now`: the decayed sum Σ w_i · 2^(−(now − t_i)/H). */
export function trendingAt(score: number, now: Date, halfLifeHours = TRENDING_HALF_LIFE_HOURS): number {
  return 2 ** (score - (now.getTime() - EPOCH_MS) / (halfLifeHours * HOUR_MS));
}
