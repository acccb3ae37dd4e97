import { SparseVector } from './lexical';
import {
  calibrate,
  calibrateCorpus,
  expandQuery,
  fuse,
  fusedSimilarity,
  normalise,
  PaperRepresentation,
  rankSimilar,
  topIndices,
} from './similarity';

const sparse = (entries: [number, number][]): SparseVector => ({
  ids: Uint32Array.from(entries, (e) => e[0]),
  weights: Float32Array.from(entries, (e) => e[1]),
});
const paper = (lexical: [number, number][], dense: number[]): PaperRepresentation => ({
  lexical: sparse(lexical),
  dense: normalise(Float32Array.from(dense)),
});
const unit = { mean: 0, std: 1 };

describe('calibration', () => {
  it('is the sample mean and standard deviation, with a spread of 1 for a constant sample', () => {
    const c = calibrate([1, 2, 3, 4]);
    expect(c.mean).toBe(2.5);
    expect(c.std).toBeCloseTo(Math.sqrt(5 / 3));
    expect(calibrate([2, 2]).std).toBe(1);
  });

  it('of a corpus is deterministic for a seed and reflects its pairs', () => {
    const lexical = [sparse([[1, 1]]), sparse([[1, 1]]), sparse([[2, 1]])];
    const dense = [Float32Array.of(1, 0), Float32Array.of(1, 0), Float32Array.of(0, 1)];
    const c = calibrateCorpus(lexical, dense, 300);
    expect(c).toEqual(calibrateCorpus(lexical, dense, 300));
    expect(c.lexical.mean).toBeGreaterThan(0.2); // one pair in three shares its term
    expect(c.lexical.mean).toBeLessThan(0.5);
    expect(c.dense).toEqual(c.lexical); // the same pairs, the same similarities
  });
});

describe('fuse', () => {
  const calibration = { lexical: { mean: 0.1, std: 0.1 }, dense: { mean: 0.5, std: 0.25 } };

  it('mixes z-scores by λ', () => {
    expect(fuse(0.3, 1, calibration)).toBeCloseTo(0.5 * 2 + 0.5 * 2);
    expect(fuse(0.3, 0.5, calibration, 1)).toBeCloseTo(2);
    expect(fuse(0.3, 0.5, calibration, 0)).toBeCloseTo(0);
  });

  it('scores a pair by its sparse and dense cosines', () => {
    const a = paper([[1, 1]], [1, 0]);
    const b = paper([[1, 1]], [0, 1]);
    expect(fusedSimilarity(a, b, { lexical: unit, dense: unit })).toBeCloseTo(0.5);
  });
});

describe('topIndices', () => {
  it('returns the k best indices, highest first, skipping excluded and non-finite scores', () => {
    expect(topIndices([0.1, 0.9, NaN, 0.5, 0.9], 3, new Set([4]))).toEqual([1, 3, 0]);
  });
});

describe('expandQuery (Rocchio)', () => {
  it('moves both sides toward the neighbours’ mean and keeps them unit length', () => {
    const q = paper([[1, 1]], [1, 0]);
    const expanded = expandQuery(q, [paper([[2, 1]], [0, 1])], { k: 1, beta: 0.5, keepTerms: 0, expandLexical: true, expandDense: true });
    expect([...expanded.lexical.ids]).toEqual([1, 2]);
    expect(expanded.lexical.weights[1] / expanded.lexical.weights[0]).toBeCloseTo(0.5);
    expect([...expanded.dense].map((x) => +x.toFixed(4))).toEqual([
      +(1 / Math.hypot(1, 0.5)).toFixed(4),
      +(0.5 / Math.hypot(1, 0.5)).toFixed(4),
    ]);
  });

  it('leaves the query alone without neighbours', () => {
    const q = paper([[1, 1]], [1, 0]);
    expect(expandQuery(q, [])).toBe(q);
  });
});

describe('rankSimilar', () => {
  const calibration = { lexical: unit, dense: unit };
  const query = paper([[1, 1]], [1, 0]);
  const candidates = [
    { item: 'far', paper: paper([[9, 1]], [0, 1]) },
    { item: 'same', paper: paper([[1, 1]], [1, 0]) },
    { item: 'lexical', paper: paper([[1, 1]], [0, 1]) },
  ];

  it('orders candidates by the fused score, highest first', () => {
    const plain = rankSimilar(query, candidates, calibration, {
      lexicalWeight: 0.5,
      prf: { k: 0, beta: 0, keepTerms: 0, expandLexical: false, expandDense: false },
    });
    expect(plain.map((r) => r.item)).toEqual(['same', 'lexical', 'far']);
    expect(plain.map((r) => r.score)).toEqual([1, 0.5, 0].map((x) => expect.closeTo(x, 6)));
  });

  it('rescores with the query expanded by its best candidates (PRF)', () => {
    const neighbour = paper([[5, 1]], [0.6, 0.8]);
    const withNeighbour = [
      ...candidates,
      { item: 'neighbour', paper: neighbour },
      { item: 'like-neighbour', paper: paper([[5, 1]], [0, 1]) },
    ];
    const noPrf = rankSimilar(query, withNeighbour, calibration, {
      lexicalWeight: 0.5,
      prf: { k: 0, beta: 0, keepTerms: 0, expandLexical: false, expandDense: false },
    });
    const prf = rankSimilar(query, withNeighbour, calibration, {
      lexicalWeight: 0.5,
      prf: { k: 3, beta: 0.5, keepTerms: 0, expandLexical: true, expandDense: true },
    });
    const score = (ranked: { item: string; score: number }[], item: string) => ranked.find((r) => r.item === item)!.score;
    // term 5 enters the expanded query only through a neighbour (the third best), so a paper sharing it gains
    expect(score(noPrf, 'like-neighbour')).toBeCloseTo(0);
    expect(score(prf, 'like-neighbour')).toBeGreaterThan(score(prf, 'far'));
    expect(prf[0].item).toBe('same');
  });
});
