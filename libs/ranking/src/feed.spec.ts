import {
  categoryAffinity,
  diversify,
  eventWeight,
  FeedCandidate,
  FeedProfile,
  explain,
  interestVectors,
  phraseMatcher,
  reasonText,
  scoreCandidates,
  StatedInterests,
  WeightedPaper,
} from './feed';
import { trainLinearModel } from './learned';
import { paperSignals, trendingScore } from './trending';

const now = new Date('2025-06-10T00:00:00Z');
const DIM = 8;

/** A unit vector near axis `axis`, nudged by `noise` along axis `toward` (the next one by default). */
function near(axis: number, noise = 0, toward = (axis + 1) % DIM): Float32Array {
  const v = new Float32Array(DIM);
  v[axis] = 1;
  v[toward] = noise;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const positive = (paperId: string, axis: number, noise = 0, weight = 1): WeightedPaper => ({
  paperId,
  title: `Title of ${paperId}`,
  vector: near(axis, noise),
  weight,
});

function candidate(id: string, vector: Float32Array | null, overrides: Partial<FeedCandidate> = {}): FeedCandidate {
  return {
    id,
    title: `Title of ${id}`,
    vector,
    publishedAt: new Date('2025-06-01T00:00:00Z'),
    trendingScore: trendingScore(paperSignals({ publishedAt: new Date('2025-06-01T00:00:00Z'), sourceUpvotes: 0 }, [])),
    categories: ['cs.LG'],
    authors: ['Someone'],
    text: `paper ${id}`,
    ...overrides,
  };
}

const noStated: StatedInterests = { categories: [], keywords: [], authors: [], mutedKeywords: [] };

/** A profile with nothing in it but what a test sets. */
const profile = (parts: Partial<FeedProfile>): FeedProfile => ({
  interests: [],
  dismissed: [],
  categories: new Map(),
  model: null,
  stated: noStated,
  excluded: new Set(),
  ...parts,
});

describe('eventWeight', () => {
  it('ranks save > upvote > click > view and makes dismissals negative', () => {
    const w = (type: Parameters<typeof eventWeight>[0]) => eventWeight(type, now, now);
    expect(w('save')).toBeGreaterThan(w('upvote'));
    expect(w('upvote')).toBeGreaterThan(w('click'));
    expect(w('click')).toBeGreaterThan(w('view'));
    expect(w('dismiss')).toBeLessThan(0);
  });

  it('decays with age', () => {
    expect(eventWeight('save', new Date('2025-03-12T00:00:00Z'), now)).toBeCloseTo(1.5, 5);
  });
});

describe('interestVectors', () => {
  it('finds two topics for a user who follows two', () => {
    const interests = interestVectors([
      positive('a1', 0, 0.1),
      positive('a2', 0, 0.2),
      positive('a3', 0, 0.05),
      positive('a4', 0, 0.15),
      positive('b1', 4, 0.1),
      positive('b2', 4, 0.2),
      positive('b3', 4, 0.05),
      positive('b4', 4, 0.15),
    ]);
    expect(interests).toHaveLength(2);
    const memberSets = interests.map((i) => i.members.map((m) => m.paperId).sort());
    expect(memberSets).toEqual(
      expect.arrayContaining([
        ['a1', 'a2', 'a3', 'a4'],
        ['b1', 'b2', 'b3', 'b4'],
      ]),
    );
  });

  it('keeps one topic as one interest and ignores non-positive weights', () => {
    expect(interestVectors([positive('a1', 0, 0.1), positive('a2', 0, 0.2), positive('a3', 0), positive('a4', 0, 0.05)])).toHaveLength(1);
    expect(interestVectors([positive('x', 0, 0, 0)])).toEqual([]);
  });
});

describe('scoreCandidates and diversify', () => {
  it('ranks papers like the liked ones first and says which liked paper they resemble', () => {
    const interests = interestVectors([positive('liked', 0)]);
    const scored = scoreCandidates([candidate('far', near(5)), candidate('close', near(0, 0.1))], profile({ interests }), now);
    expect(scored.map((s) => s.id)).toEqual(['close', 'far']);
    expect(explain(scored, profile({ interests }), now)[0].reasons[0]).toEqual({
      type: 'similar',
      paperId: 'liked',
      title: 'Title of liked',
    });
  });

  it('never explains a paper as similar to itself (a viewed paper is both evidence and candidate)', () => {
    const interests = interestVectors([positive('viewed', 0), positive('liked', 0, 0.3)]);
    const [item] = explain(scoreCandidates([candidate('viewed', near(0))], profile({ interests }), now), profile({ interests }), now);
    const similar = item.reasons.filter((r) => r.type === 'similar');
    expect(similar).toEqual([{ type: 'similar', paperId: 'liked', title: 'Title of liked' }]);
    expect(reasonText(item.reasons)).toContain('similar to "Title of liked", which you liked');
  });

  it("pushes a dismissed paper's near-duplicates down", () => {
    const interests = interestVectors([positive('liked', 0)]);
    const candidates = [candidate('twin', near(0, 0.3)), candidate('other', near(0, 0.6, 7))];
    const before = scoreCandidates(candidates, profile({ interests }), now);
    expect(before[0].id).toBe('twin');
    const after = scoreCandidates(candidates, profile({ interests, dismissed: [positive('gone', 0, 0.3)] }), now);
    expect(after[0].id).toBe('other');
    // The dismissal check runs on a shortlist: the best one is still the best one.
    expect(scoreCandidates(candidates, profile({ interests, dismissed: [positive('gone', 0, 0.3)] }), now, 1).map((s) => s.id)).toEqual([
      'other',
    ]);
  });

  it('never returns excluded papers or papers with a muted keyword', () => {
    const stated = { ...noStated, mutedKeywords: ['Diffusion'] };
    const scored = scoreCandidates(
      [
        candidate('seen', near(0)),
        candidate('muted', near(0), { text: 'a diffusion model' }),
        candidate('ok', near(1)),
        candidate('diffusionless', near(1), { text: 'diffusionless' }),
      ],
      profile({ stated, excluded: new Set(['seen']) }),
      now,
    );
    expect(scored.map((s) => s.id).sort()).toEqual(['diffusionless', 'ok']);
  });

  it('gives stated interests their reasons, and explain gives every item at least one', () => {
    const stated = { ...noStated, categories: ['cs.RO'], keywords: ['grasping'], authors: ['Ada Lovelace'] };
    const scored = scoreCandidates(
      [
        candidate('cat', null, { categories: ['cs.RO'] }),
        candidate('kw', null, { text: 'robot grasping policies' }),
        candidate('au', null, { authors: ['ada lovelace'] }),
        candidate('none', null, { publishedAt: new Date('2024-01-01T00:00:00Z') }),
      ],
      profile({ stated }),
      now,
    );
    const reasons = Object.fromEntries(explain(scored, profile({ stated }), now).map((s) => [s.id, s.reasons]));
    expect(reasons.cat).toContainEqual({ type: 'interest', category: 'cs.RO' });
    expect(reasons.kw).toContainEqual({ type: 'interest', keyword: 'grasping' });
    expect(reasons.au).toContainEqual({ type: 'interest', author: 'Ada Lovelace' });
    expect(reasons.none).toHaveLength(1);
    expect(scored.at(-1)!.id).toBe('none');
  });

  it('puts both topics of a two-topic user on the first page', () => {
    const interests = interestVectors([
      positive('a1', 0, 0.1, 3),
      positive('a2', 0, 0.2, 3),
      positive('a3', 0, 0.15, 3),
      positive('b1', 4, 0.1),
      positive('b2', 4, 0.2),
      positive('b3', 4, 0.15),
    ]);
    const candidates = [
      ...Array.from({ length: 30 }, (_, i) => candidate(`a-${i}`, near(0, 0.05 + i * 0.01))),
      ...Array.from({ length: 30 }, (_, i) => candidate(`b-${i}`, near(4, 0.3 + i * 0.01))),
    ];
    const ranked = diversify(scoreCandidates(candidates, profile({ interests }), now), 0.75, 20);
    const page = ranked.map((r) => r.id);
    expect(page.filter((id) => id.startsWith('a-')).length).toBeGreaterThan(0);
    expect(page.filter((id) => id.startsWith('b-')).length).toBeGreaterThanOrEqual(5);
  });
});

describe('categoryAffinity', () => {
  it('points to the categories of liked papers, primary above cross-lists, and away from dismissed ones', () => {
    const affinity = categoryAffinity([
      { categories: ['cs.CV', 'cs.LG'], weight: 3 },
      { categories: ['cs.CV'], weight: 1 },
      { categories: ['cs.CR'], weight: -3 },
    ]);
    expect(affinity.get('cs.CV')).toBe(1);
    expect(affinity.get('cs.LG')).toBeCloseTo(1.5 / 4);
    expect(affinity.get('cs.CR')).toBe(-0.75);
  });

  it('ranks papers of the liked categories first and says so', () => {
    const liked = profile({ categories: categoryAffinity([{ categories: ['cs.CV'], weight: 3 }]) });
    const scored = scoreCandidates(
      [
        candidate('other', null, { categories: ['math.CO'] }),
        candidate('cross', null, { categories: ['stat.ML', 'cs.CV'] }),
        candidate('mine', null, { categories: ['cs.CV'] }),
      ],
      liked,
      now,
    );
    expect(scored.map((s) => s.id)).toEqual(['mine', 'cross', 'other']);
    expect(explain(scored, liked, now)[0].reasons).toContainEqual({ type: 'interest', category: 'cs.CV' });
  });
});

describe('the learned component in the score', () => {
  it("lifts what the user's model likes over what it does not, all else equal", () => {
    const examples = [
      ...Array.from({ length: 6 }, (_, i) => ({ vector: near(2, i * 0.05), categories: [], label: 1 as const, weight: 1 })),
      ...Array.from({ length: 20 }, (_, i) => ({ vector: near(6, i * 0.05), categories: [], label: 0 as const, weight: 1 })),
    ];
    const model = trainLinearModel(examples)!;
    const candidates = [candidate('unliked', near(6, 0.5)), candidate('liked', near(2, 0.5))];
    expect(scoreCandidates(candidates, profile({ model }), now).map((s) => s.id)).toEqual(['liked', 'unliked']);
    expect(scoreCandidates(candidates, profile({}), now)[0].score).toBeCloseTo(scoreCandidates(candidates, profile({}), now)[1].score);
  });
});

describe('phraseMatcher', () => {
  it('matches whole words, case-insensitively', () => {
    expect(phraseMatcher('Learning')!('deep learning for robots')).toBe(true);
    expect(phraseMatcher('learning')!('relearning')).toBe(false);
    expect(phraseMatcher('c++')!('c++ code')).toBe(true);
    expect(phraseMatcher('  ')).toBeNull();
  });
});
