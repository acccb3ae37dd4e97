import { EXACT_KEYWORD_K, reciprocalRankFusion, RRF_K } from './fusion';

const ids = (lists: Parameters<typeof reciprocalRankFusion>[0]) => reciprocalRankFusion(lists).map((f) => f.id);

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over the lists', () => {
    const fused = reciprocalRankFusion([{ ids: ['a', 'b'] }, { ids: ['b', 'c'] }]);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(fused[1].score).toBeCloseTo(1 / (RRF_K + 1));
  });

  it('ranks an item found by both lists above items found by one, with equal k', () => {
    expect(ids([{ ids: ['k1', 'k2', 'k3', 'both'] }, { ids: ['s1', 's2', 's3', 'both'] }])[0]).toBe('both');
  });

  it('keeps the head of a sharp keyword list even when the semantic list backs the runner-up', () => {
    const keyword = { ids: ['exact', 'close'], k: EXACT_KEYWORD_K };
    const semantic = { ids: ['close', 'other', 'more'] };
    expect(ids([keyword, semantic])).toEqual(['exact', 'close', 'other', 'more']);
    expect(1 / (EXACT_KEYWORD_K + 1) - 1 / (EXACT_KEYWORD_K + 2)).toBeGreaterThan(1 / (RRF_K + 1));
  });

  it('lets semantic agreement reorder keyword hits further down', () => {
    const keyword = { ids: Array.from({ length: 30 }, (_, i) => `k${i}`), k: EXACT_KEYWORD_K };
    const fused = ids([keyword, { ids: ['k29', 'k28'] }]);
    expect(fused.indexOf('k29')).toBeLessThan(fused.indexOf('k27'));
  });

  it('keeps a single list in order and breaks ties by first appearance', () => {
    expect(ids([{ ids: ['x', 'y', 'z'] }])).toEqual(['x', 'y', 'z']);
    expect(ids([{ ids: ['a'] }, { ids: ['b'] }])).toEqual(['a', 'b']);
  });

  it('handles empty lists', () => {
    expect(reciprocalRankFusion([{ ids: [] }, { ids: [] }])).toEqual([]);
    expect(ids([{ ids: [] }, { ids: ['a'] }])).toEqual(['a']);
  });
});
