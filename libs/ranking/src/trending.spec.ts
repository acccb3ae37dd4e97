import { paperSignals, trendingAt, trendingScore } from './trending';

const hours = (h: number) => new Date(Date.UTC(2025, 0, 10) + h * 3_600_000);

describe('trendingScore', () => {
  it('is the decayed sum of signals, halving every 24 hours', () => {
    const score = trendingScore([
      { weight: 4, at: hours(0) },
      { weight: 2, at: hours(24) },
    ]);
    expect(trendingAt(score, hours(24))).toBeCloseTo(4 / 2 + 2, 10);
    expect(trendingAt(score, hours(48))).toBeCloseTo(1 + 1, 10);
  });

  it('ranks a fresh paper above an equally voted older one', () => {
    const older = trendingScore(paperSignals({ publishedAt: hours(0), sourceUpvotes: 5 }, []));
    const newer = trendingScore(paperSignals({ publishedAt: hours(12), sourceUpvotes: 5 }, []));
    expect(newer).toBeGreaterThan(older);
  });

  it('lets recent upvotes lift an older paper above a fresh one without votes', () => {
    const fresh = trendingScore(paperSignals({ publishedAt: hours(48), sourceUpvotes: 0 }, []));
    const popular = trendingScore(
      paperSignals({ publishedAt: hours(0), sourceUpvotes: 0 }, [hours(40), hours(44), hours(46), hours(47), hours(47)]),
    );
    expect(popular).toBeGreaterThan(fresh);
  });

  it('counts recent interactions, a save more than a click more than a view', () => {
    const base = { publishedAt: hours(0), sourceUpvotes: 0 };
    const saved = trendingScore(paperSignals(base, [], [{ type: 'save', at: hours(40) }]));
    const clicked = trendingScore(paperSignals(base, [], [{ type: 'click', at: hours(40) }]));
    const viewed = trendingScore(paperSignals(base, [], [{ type: 'view', at: hours(40) }]));
    expect(saved).toBeGreaterThan(clicked);
    expect(clicked).toBeGreaterThan(viewed);
    expect(viewed).toBeGreaterThan(trendingScore(paperSignals(base, [])));
  });

  it('gives the same order whenever it is evaluated (the stored score does not depend on now)', () => {
    const a = trendingScore(paperSignals({ publishedAt: hours(0), sourceUpvotes: 30 }, []));
    const b = trendingScore(paperSignals({ publishedAt: hours(30), sourceUpvotes: 1 }, [hours(31)]));
    for (const now of [hours(31), hours(100), hours(10_000)]) {
      expect(Math.sign(trendingAt(a, now) - trendingAt(b, now))).toBe(Math.sign(a - b));
    }
  });

  it('stays finite for papers decades apart', () => {
    const old = trendingScore(paperSignals({ publishedAt: new Date('1995-01-01'), sourceUpvotes: 0 }, []));
    const late = trendingScore(paperSignals({ publishedAt: new Date('2090-01-01'), sourceUpvotes: 0 }, [new Date('2090-01-02')]));
    expect(Number.isFinite(old)).toBe(true);
    expect(Number.isFinite(late)).toBe(true);
    expect(late).toBeGreaterThan(old);
  });

  it('ignores signals without weight', () => {
    expect(trendingScore([{ weight: 0, at: hours(0) }])).toBe(-Infinity);
  });
});
