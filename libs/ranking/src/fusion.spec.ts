import { reciprocalRankFusion, RRF_K } from './fusion';

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over the lists', () => {
    const fused = reciprocalRankFusion([['a', 'b'], ['b', 'c']]);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(fused[1].score).toBeCloseTo(1 / (RRF_K + 1));
  });

  it('ranks an item found by both lists above items found by one, even if lower in each', () => {
    const keyword = ['k1', 'k2', 'k3', 'both'];
    const semantic = ['s1', 's2', 's3', 'both'];
    expect(reciprocalRankFusion([keyword, semantic])[0].id).toBe('both');
  });

  it('keeps a single list in order and breaks ties by first appearance', () => {
    expect(reciprocalRankFusion([['x', 'y', 'z']]).map((f) => f.id)).toEqual(['x', 'y', 'z']);
    expect(reciprocalRankFusion([['a'], ['b']]).map((f) => f.id)).toEqual(['a', 'b']);
  });

  it('handles empty lists', () => {
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([[], ['a']]).map((f) => f.id)).toEqual(['a']);
  });
});
