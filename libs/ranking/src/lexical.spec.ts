import {
  DocumentFrequencies,
  paperTerms,
  smoothIdf,
  sparseCombine,
  sparseDot,
  SparseVector,
  sStem,
  STOP_WORDS,
  tokenize,
  toTermCounts,
  topTerms,
  Vocabulary,
  weighTerms,
} from './lexical';

const vector = (entries: [number, number][]): SparseVector => ({
  ids: Uint32Array.from(entries, (e) => e[0]),
  weights: Float32Array.from(entries, (e) => e[1]),
});

describe('tokenize', () => {
  it('lower-cases, splits hyphens, drops short and letterless words, and marks stop words as breaks', () => {
    expect(tokenize('Pseudo-relevance feedback: the 2 BERT models in 2019')).toEqual([
      'pseudo',
      'relevance',
      'feedback',
      null,
      null,
      'bert',
      'models',
      null,
      null,
    ]);
  });

  it('stops boilerplate words as well as function words', () => {
    for (const word of ['paper', 'propose', 'novel', 'the', 'using']) expect(STOP_WORDS.has(word)).toBe(true);
    expect(STOP_WORDS.has('network')).toBe(false);
  });
});

describe('sStem', () => {
  it.each([
    ['networks', 'network'],
    ['queries', 'query'],
    ['classes', 'classe'],
    ['corpus', 'corpus'],
    ['glass', 'glass'],
    ['gas', 'gas'],
    ['trained', 'trained'],
  ])('%s → %s', (word, stem) => expect(sStem(word)).toBe(stem));
});

describe('paperTerms', () => {
  it('counts title terms twice and abstract terms once, stemmed', () => {
    const terms = paperTerms({ title: 'Graph networks', abstract: 'A network of graphs; the graph.' });
    expect(Object.fromEntries(terms)).toEqual({ graph: 4, network: 3 });
  });
});

describe('term counts and weights', () => {
  const vocabulary = new Vocabulary();
  const a = toTermCounts(paperTerms({ title: 'graph networks', abstract: 'sparse graph retrieval' }), vocabulary);
  const b = toTermCounts(paperTerms({ title: 'graph retrieval', abstract: 'dense retrieval' }), vocabulary);
  const c = toTermCounts(paperTerms({ title: 'protein folding', abstract: 'graph' }), vocabulary);
  const df = new DocumentFrequencies();
  [a, b, c].forEach((p) => df.add(p));

  it('keeps term ids ascending with their counts', () => {
    expect([...a.ids]).toEqual([...a.ids].sort((x, y) => x - y));
    expect(a.counts[[...a.ids].indexOf(vocabulary.lookup('graph')!)]).toBe(3);
  });

  it('counts each paper once per term, and forgets a removed paper', () => {
    expect(df.docs).toBe(3);
    expect(df.get(vocabulary.lookup('graph')!)).toBe(3);
    expect(df.get(vocabulary.lookup('retrieval')!)).toBe(2);
    df.remove(c);
    expect([df.docs, df.get(vocabulary.lookup('graph')!), df.get(vocabulary.lookup('protein')!)]).toEqual([2, 2, 0]);
    df.add(c);
  });

  it('weighs (1 + ln tf) · smooth idf, drops terms under min df, and l2-normalises', () => {
    const w = weighTerms(a, df);
    const graph = vocabulary.lookup('graph')!;
    const retrieval = vocabulary.lookup('retrieval')!;
    expect([...w.ids]).toEqual([graph, retrieval].sort((x, y) => x - y)); // "network", "sparse": df 1
    const raw = { [graph]: (1 + Math.log(3)) * smoothIdf(3, 3), [retrieval]: 1 * smoothIdf(2, 3) };
    const norm = Math.hypot(raw[graph], raw[retrieval]);
    expect(w.weights[[...w.ids].indexOf(graph)]).toBeCloseTo(raw[graph] / norm, 6);
    expect(sparseDot(w, w)).toBeCloseTo(1, 6);
  });

  it('gives a paper with no weighted term the zero vector', () => {
    const lonely = toTermCounts(paperTerms({ title: 'zymurgy', abstract: '' }), vocabulary);
    expect(weighTerms(lonely, df).ids.length).toBe(0);
  });

  it('smooths idf so it is never 0 and finite for unseen terms', () => {
    expect(smoothIdf(3, 3)).toBe(1);
    expect(smoothIdf(0, 3)).toBeCloseTo(Math.log(4) + 1);
  });
});

describe('sparse vectors', () => {
  const x = vector([
    [1, 0.6],
    [4, 0.8],
  ]);
  const y = vector([
    [2, 0.6],
    [4, 0.8],
  ]);

  it('dot merges over shared ids', () => {
    expect(sparseDot(x, y)).toBeCloseTo(0.64);
    expect(sparseDot(x, vector([]))).toBe(0);
  });

  it('combine sums weighted vectors, keeps the heaviest terms and l2-normalises', () => {
    const sum = sparseCombine([
      { vector: x, weight: 1 },
      { vector: y, weight: 0.5 },
    ]);
    expect([...sum.ids]).toEqual([1, 2, 4]);
    expect(sparseDot(sum, sum)).toBeCloseTo(1, 6);
    expect([...sparseCombine([{ vector: x, weight: 1 }], 1).ids]).toEqual([4]);
  });

  it('topTerms lists the heaviest ids first', () => {
    expect(topTerms(x, 1)).toEqual([4]);
    expect(topTerms(x, 5)).toEqual([4, 1]);
  });
});
