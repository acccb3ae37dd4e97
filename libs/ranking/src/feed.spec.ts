import { diversify, eventWeight, FeedCandidate, interestVectors, mentions, scoreCandidates, StatedInterests, WeightedPaper } from './feed';
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

const positive = (paperId: string, axis: number, noise = 0, weight = 1): WeightedPaper => ({ paperId, vector: near(axis, noise), weight });

function candidate(id: string, vector: Float32Array | null, overrides: Partial<FeedCandidate> = {}): FeedCandidate {
  return {
    id,
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
      positive('a1', 0, 0.1), positive('a2', 0, 0.2), positive('a3', 0, 0.05), positive('a4', 0, 0.15),
      positive('b1', 4, 0.1), positive('b2', 4, 0.2), positive('b3', 4, 0.05), positive('b4', 4, 0.15),
    ]);
    expect(interests).toHaveLength(2);
    const memberSets = interests.map((i) => i.members.map((m) => m.paperId).sort());
    expect(memberSets).toEqual(expect.arrayContaining([['a1', 'a2', 'a3', 'a4'], ['b1', 'b2', 'b3', 'b4']]));
  });

  it('keeps one topic as one interest and ignores non-positive weights', () => {
    expect(interestVectors([positive('a1', 0, 0.1), positive('a2', 0, 0.2), positive('a3', 0), positive('a4', 0, 0.05)])).toHaveLength(1);
    expect(interestVectors([positive('x', 0, 0, 0)])).toEqual([]);
  });
});

describe('scoreCandidates and diversify', () => {
  it('ranks papers like the liked ones first and says which liked paper they resemble', () => {
    const interests = interestVectors([positive('liked', 0)]);
    const scored = scoreCandidates(
      [candidate('far', near(5)), candidate('close', near(0, 0.1))],
      { interests, dismissed: [], stated: noStated, excluded: new Set() },
      now,
    );
    expect(scored.map((s) => s.id)).toEqual(['close', 'far']);
    expect(scored[0].reasons).toContainEqual({ type: 'similar', paperId: 'liked' });
  });

  it("pushes a dismissed paper's near-duplicates down", () => {
    const interests = interestVectors([positive('liked', 0)]);
    const candidates = [candidate('twin', near(0, 0.3)), candidate('other', near(0, 0.6, 7))];
    const before = scoreCandidates(candidates, { interests, dismissed: [], stated: noStated, excluded: new Set() }, now);
    expect(before[0].id).toBe('twin');
    const after = scoreCandidates(candidates, { interests, dismissed: [positive('gone', 0, 0.3)], stated: noStated, excluded: new Set() }, now);
    expect(after[0].id).toBe('other');
  });

  it('never returns excluded papers or papers with a muted keyword', () => {
    const stated = { ...noStated, mutedKeywords: ['Diffusion'] };
    const scored = scoreCandidates(
      [candidate('seen', near(0)), candidate('muted', near(0), { text: 'a diffusion model' }), candidate('ok', near(1)), candidate('diffusionless', near(1), { text: 'diffusionless' })],
      { interests: [], dismissed: [], stated, excluded: new Set(['seen']) },
      now,
    );
    expect(scored.map((s) => s.id).sort()).toEqual(['diffusionless', 'ok']);
  });

  it('gives stated interests their reasons, and every item at least one reason', () => {
    const stated = { ...noStated, categories: ['cs.RO'], keywords: ['grasping'], authors: ['Ada Lovelace'] };
    const scored = scoreCandidates(
      [
        candidate('cat', null, { categories: ['cs.RO'] }),
        candidate('kw', null, { text: 'robot grasping policies' }),
        candidate('au', null, { authors: ['ada lovelace'] }),
        candidate('none', null, { publishedAt: new Date('2024-01-01T00:00:00Z') }),
      ],
      { interests: [], dismissed: [], stated, excluded: new Set() },
      now,
    );
    const reasons = Object.fromEntries(scored.map((s) => [s.id, s.reasons]));
    expect(reasons.cat).toContainEqual({ type: 'interest', category: 'cs.RO' });
    expect(reasons.kw).toContainEqual({ type: 'interest', keyword: 'grasping' });
    expect(reasons.au).toContainEqual({ type: 'interest', author: 'Ada Lovelace' });
    expect(reasons.none.length).toBeGreaterThan(0);
    expect(scored.at(-1)!.id).toBe('none');
  });

  it('puts both topics of a two-topic user on the first page', () => {
    const interests = interestVectors([
      positive('a1', 0, 0.1, 3), positive('a2', 0, 0.2, 3), positive('a3', 0, 0.15, 3),
      positive('b1', 4, 0.1), positive('b2', 4, 0.2), positive('b3', 4, 0.15),
    ]);
    const candidates = [
      ...Array.from({ length: 30 }, (_, i) => candidate(`a-${i}`, near(0, 0.05 + i * 0.01))),
      ...Array.from({ length: 30 }, (_, i) => candidate(`b-${i}`, near(4, 0.3 + i * 0.01))),
    ];
    const ranked = diversify(scoreCandidates(candidates, { interests, dismissed: [], stated: noStated, excluded: new Set() }, now), 0.75, 20);
    const page = ranked.map((r) => r.id);
    expect(page.filter((id) => id.startsWith('a-')).length).toBeGreaterThan(0);
    expect(page.filter((id) => id.startsWith('b-')).length).toBeGreaterThanOrEqual(5);
  });
});

describe('mentions', () => {
  it('matches whole words, case-insensitively', () => {
    expect(mentions('deep learning for robots', 'Learning')).toBe(true);
    expect(mentions('relearning', 'learning')).toBe(false);
    expect(mentions('c++ code', 'c++')).toBe(true);
  });
});
