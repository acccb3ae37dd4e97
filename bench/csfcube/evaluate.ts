/**
 * Issue 13: similar-paper scoring on the CSFCube development fold (24 query facets, expert grades
 * 0–3 over each query's pool of ~100 candidates; NDCG@20, gain 2^grade − 1). Every method ranks a
 * pool from the query paper and the candidates only (the facet is not used), with corpus
 * statistics (df, neighbours, calibration) from the 4,205 papers.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/csfcube/evaluate.ts
 *
 * Embeddings are cached in bench/.cache (glove-static-100d: ~10 s; minilm-l6-shaped q8: ~2–10 min
 * on 2 busy cores, once). The rest takes well under a minute.
 */
import { embedPapers, loadPapers, loadQueries, mean, ndcgAt, Paper, Query, rankPool } from './data';
import {
  calibrateCorpus,
  DEFAULT_LEXICAL_WEIGHT,
  DEFAULT_PRF,
  DEFAULT_SIMILAR,
  DEFAULT_TERM_OPTIONS,
  DocumentFrequencies,
  dot,
  expandQuery,
  fuse,
  FusionCalibration,
  fusedSimilarity,
  PaperRepresentation,
  paperTerms,
  PrfOptions,
  rankSimilar,
  SparseVector,
  sparseDot,
  sStem,
  TermCounts,
  TermOptions,
  toTermCounts,
  topIndices,
  topTerms,
  Vocabulary,
  weighTerms,
} from '@paperfeed/ranking';
import { rrf, zWithin } from './fusion';
import { bm25, charGramTerms, identityStem, porterStep1 } from './lexical';

const README_TFIDF = 0.535;
const README_SPECTER = 0.483;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`self-check failed: ${message}`);
}

const papers = loadPapers();
const queries = loadQueries();
const index = new Map(papers.map((p, i) => [p.id, i]));
check(papers.length === 4205, `4,205 papers (got ${papers.length})`);
check(queries.length === 24, `24 query facets (got ${queries.length})`);
check(
  queries.every((q) => index.has(q.paper) && [...q.grades.keys()].every((c) => index.has(c))),
  'every query and candidate is in the collection',
);

type Scorer = (query: number, candidate: number) => number;

/** Per-query NDCG@20 over each pool; `scorerFor` may prepare per query (e.g. expand the query paper). */
function perQueryWith(scorerFor: (q: Query, qi: number) => Scorer): number[] {
  return queries.map((q) => {
    const qi = index.get(q.paper)!;
    const s = scorerFor(q, qi);
    return ndcgAt(
      rankPool([...q.grades.keys()], (id) => s(qi, index.get(id)!)),
      q.grades,
    );
  });
}
const perQuery = (score: Scorer): number[] => perQueryWith(() => score);

// ---------------------------------------------------------------- lexical representations

/** The README's baseline: scikit-learn TfidfVectorizer(sublinear_tf=True) over "title abstract": token pattern \b\w\w+\b, no stop words, smooth idf, l2. */
function baselineTfidf(ps: Paper[]): SparseVector[] {
  const vocabulary = new Vocabulary();
  const df = new DocumentFrequencies();
  const counts = ps.map((p) => {
    const m = new Map<string, number>();
    for (const t of `${p.title} ${p.abstract}`.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? []) m.set(t, (m.get(t) ?? 0) + 1);
    return toTermCounts(m, vocabulary);
  });
  counts.forEach((c) => df.add(c));
  return counts.map((c) => weighTerms(c, df, { minDf: 1 }));
}

interface Lexicon {
  vocabulary: Vocabulary;
  counts: TermCounts[];
  df: DocumentFrequencies;
  vectors: SparseVector[];
}

function buildLexicon(options: TermOptions, minDf = 2): Lexicon {
  const vocabulary = new Vocabulary();
  const df = new DocumentFrequencies();
  const counts = papers.map((p) => toTermCounts(paperTerms(p, options), vocabulary));
  counts.forEach((c) => df.add(c));
  return { vocabulary, counts, df, vectors: counts.map((c) => weighTerms(c, df, { minDf })) };
}

const cosine =
  (vectors: SparseVector[]): Scorer =>
  (a, b) =>
    sparseDot(vectors[a], vectors[b]);

// ---------------------------------------------------------------- reporting

const f3 = (x: number) => x.toFixed(3);
const rows: { name: string; scores: number[] }[] = [];
let baselineScores: number[] = [];

/** Paired comparison with the TF-IDF baseline: mean difference, wins/ties/losses, bootstrap 95% CI (seeded). */
function paired(scores: number[]): string {
  if (!baselineScores.length) return '';
  const d = scores.map((s, i) => s - baselineScores[i]);
  const wins = d.filter((x) => x > 1e-9).length;
  const losses = d.filter((x) => x < -1e-9).length;
  let state = 7;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
  const means: number[] = [];
  for (let b = 0; b < 2000; b++) means.push(mean(d.map(() => d[Math.floor(next() * d.length)])));
  means.sort((x, y) => x - y);
  const sign = (x: number) => (x >= 0 ? '+' : '') + f3(x);
  return `${sign(mean(d))} [${sign(means[50])}, ${sign(means[1949])}]  ${wins}/${d.length - wins - losses}/${losses}`;
}

function report(name: string, scores: number[]): number {
  rows.push({ name, scores });
  const m = mean(scores);
  const facet = (f: string) => f3(mean(scores.filter((_, i) => queries[i].facet === f)));
  console.log(`| ${name} | ${f3(m)} | ${paired(scores)} | ${facet('background')} / ${facet('method')} / ${facet('result')} |`);
  return m;
}

function header(title: string): void {
  console.log(`\n### ${title}\n`);
  console.log('| method | NDCG@20 | − TF-IDF baseline [95% CI]  wins/ties/losses | background / method / result (8 each) |');
  console.log('| --- | --- | --- | --- |');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(
    `CSFCube dev: ${papers.length} papers, ${queries.length} query facets, ${queries.reduce((s, q) => s + q.grades.size, 0)} judgements`,
  );
  const selfJudged = queries.filter((q) => q.grades.has(q.paper)).map((q) => `${q.paper}/${q.facet} (grade ${q.grades.get(q.paper)})`);
  console.log(`query papers inside their own pool (kept: every method ranks them first): ${selfJudged.join(', ') || 'none'}`);

  // Cheap checks of the pure functions.
  check(
    sStem('networks') === 'network' && sStem('studies') === 'study' && sStem('corpus') === 'corpus' && sStem('class') === 'class',
    'S-stemmer',
  );
  check(
    porterStep1('trained') === 'train' &&
      porterStep1('training') === 'train' &&
      porterStep1('agreed') === 'agree' &&
      porterStep1('hopping') === 'hop',
    'Porter step 1',
  );
  check(
    JSON.stringify([...paperTerms({ title: 'Neural Networks', abstract: 'We train networks.' })]) ===
      '[["neural",2],["network",3],["train",1]]',
    'paperTerms',
  );

  header('Baselines and lexical variants (no dense model)');
  const base = baselineTfidf(papers);
  check(
    base.every((v) => Math.abs(sparseDot(v, v) - 1) < 1e-4),
    'baseline vectors are unit length',
  );
  baselineScores = perQuery(cosine(base));
  const baseMean = report('TF-IDF baseline (README definition: \\w\\w+ tokens, sublinear tf, smooth idf, l2)', baselineScores);
  check(Math.abs(baseMean - README_TFIDF) < 0.01, `TF-IDF baseline ${f3(baseMean)} within 0.01 of the README's ${README_TFIDF}`);
  console.log(
    `| SPECTER (README figure; its rankings are not among the collection's files, so not reproduced) | ${README_SPECTER} | — | — |`,
  );

  const lexicalVariants: [string, TermOptions, number][] = [
    ['our tokenizer + stop words, no stemming, title ×1', { stem: identityStem, titleWeight: 1, bigrams: false }, 2],
    ['+ S-stemmer', { stem: sStem, titleWeight: 1, bigrams: false }, 2],
    ['+ title ×2 (**lexical recipe**)', DEFAULT_TERM_OPTIONS, 2],
    ['  title ×3', { ...DEFAULT_TERM_OPTIONS, titleWeight: 3 }, 2],
    ['  Porter step 1 instead of S-stemmer', { ...DEFAULT_TERM_OPTIONS, stem: porterStep1 }, 2],
    ['  + bigrams of adjacent content words', { ...DEFAULT_TERM_OPTIONS, bigrams: true }, 2],
    ['  min df 1 (keep hapaxes)', DEFAULT_TERM_OPTIONS, 1],
    ['  min df 3', DEFAULT_TERM_OPTIONS, 3],
  ];
  let lexicon: Lexicon | undefined;
  for (const [name, options, minDf] of lexicalVariants) {
    const lx = buildLexicon(options, minDf);
    if (options === DEFAULT_TERM_OPTIONS && minDf === 2) lexicon = lx;
    report(name, perQuery(cosine(lx.vectors)));
  }
  const lex = lexicon!;
  {
    const lengths = lex.counts.map((c) => c.counts.reduce((a, b) => a + b, 0));
    const avg = mean(lengths);
    report(
      '  BM25 (k1 1.2, b 0.75) on the recipe terms, instead of the cosine',
      perQuery((q, d) => bm25(lex.counts[q], lex.counts[d], lengths[d], avg, lex.df)),
    );
    report(
      '  BM25 (k1 1.2, b 0.3)',
      perQuery((q, d) => bm25(lex.counts[q], lex.counts[d], lengths[d], avg, lex.df, 1.2, 0.3)),
    );
  }
  report('  idf off (sublinear tf only)', perQuery(cosine(lex.counts.map((c) => weighTerms(c, lex.df, { minDf: 2, idfPower: 0 })))));
  report('  idf²', perQuery(cosine(lex.counts.map((c) => weighTerms(c, lex.df, { minDf: 2, idfPower: 2 })))));
  {
    const vocabulary = new Vocabulary();
    const df = new DocumentFrequencies();
    const counts = papers.map((p) => toTermCounts(charGramTerms(p, 4), vocabulary));
    counts.forEach((c) => df.add(c));
    const grams = counts.map((c) => weighTerms(c, df));
    report('  character 4-grams of words instead of stemmed words', perQuery(cosine(grams)));
    const none = papers.map(() => new Float32Array(1));
    const cw = calibrateCorpus(lex.vectors, none).lexical;
    const cg = calibrateCorpus(grams, none).lexical;
    report(
      '  words + character 4-grams, calibrated sum 0.5/0.5',
      perQuery(
        (a, b) => (sparseDot(lex.vectors[a], lex.vectors[b]) - cw.mean) / cw.std + (sparseDot(grams[a], grams[b]) - cg.mean) / cg.std,
      ),
    );
  }
  check(
    lex.vectors.every((v) => v.weights.every(Number.isFinite)),
    'lexical weights are finite',
  );

  // Inverted lists of the recipe's lexical vectors, for corpus-wide scans.
  const postings: { doc: number; w: number }[][] = [];
  lex.vectors.forEach((v, doc) => v.ids.forEach((t, i) => (postings[t] ??= []).push({ doc, w: v.weights[i] })));
  const lexicalRow = (v: SparseVector, terms?: Set<number>): Float64Array => {
    const s = new Float64Array(papers.length);
    v.ids.forEach((t, i) => {
      if (terms && !terms.has(t)) return;
      for (const p of postings[t] ?? []) s[p.doc] += v.weights[i] * p.w;
    });
    return s;
  };

  const summary: Record<string, Record<string, number>> = {};
  for (const [model, dtype] of [
    ['glove-static-100d', 'fp32'],
    ['minilm-l6-shaped', 'q8'],
  ] as const) {
    const { vectors, degenerate } = await embedPapers(papers, model, dtype);
    check(
      vectors.every((v) => v.every(Number.isFinite)),
      `${model}: vectors finite`,
    );
    const corpus: PaperRepresentation[] = papers.map((_, i) => ({ lexical: lex.vectors[i], dense: vectors[i] }));
    const cal = calibrateCorpus(lex.vectors, vectors);
    const s: Record<string, number> = (summary[model] = {});
    header(
      `${model} (${dtype}; ${degenerate} degenerate vectors zeroed; calibration over 20,000 random pairs: lexical ${f3(cal.lexical.mean)} ± ${f3(cal.lexical.std)}, dense ${f3(cal.dense.mean)} ± ${f3(cal.dense.std)})`,
    );
    s.dense = report(
      `dense alone (${model})`,
      perQuery((a, b) => dot(vectors[a], vectors[b])),
    );
    s.lexical = mean(perQuery(cosine(lex.vectors)));
    const baseCorpus: PaperRepresentation[] = papers.map((_, i) => ({ lexical: base[i], dense: vectors[i] }));
    const baseCal = calibrateCorpus(base, vectors);
    s.plainMix = report(
      'TF-IDF baseline + dense, calibrated sum λ = 0.5 ("a plain mix")',
      perQuery((a, b) => fusedSimilarity(baseCorpus[a], baseCorpus[b], baseCal, 0.5)),
    );
    for (const lw of [0.3, 0.5, 0.7, 0.9]) {
      const v = report(
        `lexical recipe + dense, calibrated sum λ = ${lw}${lw === DEFAULT_LEXICAL_WEIGHT ? ' (**fused**)' : ''}`,
        perQuery((a, b) => fusedSimilarity(corpus[a], corpus[b], cal, lw)),
      );
      if (lw === DEFAULT_LEXICAL_WEIGHT) s.fused = v;
    }
    const poolScores = (mode: 'rrf' | 'z') =>
      queries.map((q) => {
        const qi = index.get(q.paper)!;
        const pool = [...q.grades.keys()];
        const l = pool.map((id) => sparseDot(lex.vectors[qi], lex.vectors[index.get(id)!]));
        const d = pool.map((id) => dot(vectors[qi], vectors[index.get(id)!]));
        const fusedScores = mode === 'rrf' ? rrf(l, d) : zWithin(l).map((x, i) => 0.5 * x + 0.5 * zWithin(d)[i]);
        const byId = new Map(pool.map((id, i) => [id, fusedScores[i]]));
        return ndcgAt(
          rankPool(pool, (id) => byId.get(id)!),
          q.grades,
        );
      });
    report('  alternative: RRF (k 60) over the pool', poolScores('rrf'));
    report('  alternative: z-scores within the pool, λ = 0.5', poolScores('z'));

    // PRF: neighbours of each query paper by the fused similarity over the whole corpus (itself excluded).
    const neighbourCache = new Map<string, number[]>();
    const neighbours = (qi: number, lw: number, k: number) => {
      const key = `${qi}/${lw}`;
      if (!neighbourCache.has(key)) {
        const l = lexicalRow(lex.vectors[qi]);
        const scores = new Float64Array(papers.length);
        for (let j = 0; j < papers.length; j++) scores[j] = fuse(l[j], dot(vectors[qi], vectors[j]), cal, lw);
        neighbourCache.set(key, topIndices(scores, 50, new Set([qi])));
      }
      return neighbourCache.get(key)!.slice(0, k);
    };
    const prfRun = (lw: number, prf: PrfOptions) =>
      perQueryWith((_q, qi) => {
        const expanded = expandQuery(
          corpus[qi],
          neighbours(qi, lw, prf.k).map((j) => corpus[j]),
          prf,
        );
        return (_: number, d: number) => fusedSimilarity(expanded, corpus[d], cal, lw);
      });
    s.fusedPrf = report(
      `**fused + PRF** (λ ${DEFAULT_LEXICAL_WEIGHT}, k ${DEFAULT_PRF.k}, β ${DEFAULT_PRF.beta}, both sides)`,
      prfRun(DEFAULT_LEXICAL_WEIGHT, DEFAULT_PRF),
    );
    s.lexicalPrf = report(`lexical recipe + PRF (λ 1: neighbours and scores lexical only)`, prfRun(1, DEFAULT_PRF));
    report('  PRF on the lexical side only', prfRun(DEFAULT_LEXICAL_WEIGHT, { ...DEFAULT_PRF, expandDense: false }));
    report('  PRF on the dense side only', prfRun(DEFAULT_LEXICAL_WEIGHT, { ...DEFAULT_PRF, expandLexical: false }));
    report(
      '  PRF, expanded lexical vector cut to its 100 heaviest terms',
      prfRun(DEFAULT_LEXICAL_WEIGHT, { ...DEFAULT_PRF, keepTerms: 100 }),
    );

    console.log(`\nSensitivity of fused + PRF (${model}): NDCG@20 by λ (rows) × k/β (columns)\n`);
    const grid: [number, number][] = [
      [0, 0],
      [5, 0.5],
      [10, 0.5],
      [20, 0.5],
      [10, 1],
      [20, 1],
      [10, 2],
    ];
    console.log(`| λ | ${grid.map(([k, b]) => (k ? `k ${k} β ${b}` : 'no PRF')).join(' | ')} |`);
    console.log(`| --- |${grid.map(() => ' --- |').join('')}`);
    for (const lw of [0.3, 0.5, 0.7, 1]) {
      console.log(`| ${lw} | ${grid.map(([k, beta]) => f3(mean(prfRun(lw, { ...DEFAULT_PRF, k, beta })))).join(' | ')} |`);
    }

    // ------------------------------------------------ candidate generation from the whole corpus
    console.log(
      `\nCandidate generation from the whole corpus (${model}): dense top-k ∪ lexical top-k (inverted lists of the query paper's T heaviest terms)\n`,
    );
    console.log(
      '| candidates | size (mean) | recall grade ≥ 1 | recall grade ≥ 2 | NDCG@20: `rankSimilar` over the candidates (PRF neighbours from them), pool papers outside ranked last |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const [k, T] of [
      [100, 20],
      [100, 0],
      [50, 20],
      [200, 20],
    ] as const) {
      for (const sides of ['dense', 'lexical', 'both'] as const) {
        if (k !== 100 && sides !== 'both') continue;
        if (T === 0 && sides === 'dense') continue;
        let size = 0;
        const r1: number[] = [];
        const r2: number[] = [];
        const nd: number[] = [];
        for (const q of queries) {
          const qi = index.get(q.paper)!;
          const set = new Set<number>();
          if (sides !== 'lexical') {
            const d = new Float64Array(papers.length);
            for (let j = 0; j < papers.length; j++) d[j] = dot(vectors[qi], vectors[j]);
            topIndices(d, k, new Set([qi])).forEach((j) => set.add(j));
          }
          if (sides !== 'dense') {
            const terms = T ? new Set(topTerms(lex.vectors[qi], T)) : undefined;
            topIndices(lexicalRow(lex.vectors[qi], terms), k, new Set([qi])).forEach((j) => set.add(j));
          }
          size += set.size;
          const rel = (min: number) => [...q.grades].filter(([id, g]) => g >= min && id !== q.paper);
          const kept = (min: number) => rel(min).filter(([id]) => set.has(index.get(id)!)).length / Math.max(1, rel(min).length);
          r1.push(kept(1));
          r2.push(kept(2));
          // What the product would do: rankSimilar over the candidates (PRF neighbours taken from them, no corpus scan).
          const ranked = rankSimilar(
            corpus[qi],
            [...set].map((j) => ({ item: j, paper: corpus[j] })),
            cal,
            DEFAULT_SIMILAR,
          );
          const position = new Map(ranked.map((r, pos) => [r.item, pos]));
          position.set(qi, -1);
          nd.push(
            ndcgAt(
              rankPool([...q.grades.keys()], (id) => -(position.get(index.get(id)!) ?? 1e9)),
              q.grades,
            ),
          );
        }
        const label =
          sides === 'dense'
            ? `dense top-${k}`
            : sides === 'lexical'
              ? `lexical top-${k}${T ? ` (T ${T})` : ' (all terms)'}`
              : `dense top-${k} ∪ lexical top-${k}${T ? ` (T ${T})` : ' (all terms)'}`;
        console.log(`| ${label} | ${(size / queries.length).toFixed(0)} | ${f3(mean(r1))} | ${f3(mean(r2))} | ${f3(mean(nd))} |`);
        if (k === 100 && T === 20 && sides === 'both') s.candidateRecall1 = mean(r1);
      }
    }

    // ------------------------------------------------ incremental idf
    if (model === 'glove-static-100d') incrementalIdf(vectors);
  }

  console.log('\nSummary (NDCG@20):');
  console.log(
    JSON.stringify(
      {
        tfidfBaseline: +f3(baseMean),
        specterReadme: README_SPECTER,
        ...Object.fromEntries(
          Object.entries(summary).map(([m, v]) => [m, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, +f3(x)]))]),
        ),
      },
      null,
      1,
    ),
  );
}

/**
 * Idf drift: papers arrive in publication order (year, then id). The first half is indexed with df
 * from the first half only; every later paper updates df and gets its weights from df as it is at
 * its arrival; no stored weight is ever recomputed. Compared with weights from the final df.
 */
function incrementalIdf(dense: Float32Array[]): void {
  const order = papers
    .map((_, i) => i)
    .sort((a, b) => (papers[a].year ?? 0) - (papers[b].year ?? 0) || (papers[a].id < papers[b].id ? -1 : 1));
  const vocabulary = new Vocabulary();
  const counts = papers.map((p) => toTermCounts(paperTerms(p, DEFAULT_TERM_OPTIONS), vocabulary));
  const half = Math.floor(order.length / 2);
  const df = new DocumentFrequencies();
  const stored: SparseVector[] = new Array(papers.length);
  for (const i of order.slice(0, half)) df.add(counts[i]);
  for (const i of order.slice(0, half)) stored[i] = weighTerms(counts[i], df);
  for (const i of order.slice(half)) {
    df.add(counts[i]);
    stored[i] = weighTerms(counts[i], df);
  }
  const fresh = counts.map((c) => weighTerms(c, df));
  const cal = (v: SparseVector[]): FusionCalibration => calibrateCorpus(v, dense);
  const calFresh = cal(fresh);
  // The calibration as measured on the first half only (never refreshed) against a fresh one.
  const firstHalf = order.slice(0, half);
  const calStale = calibrateCorpus(
    firstHalf.map((i) => stored[i]),
    firstHalf.map((i) => dense[i]),
  );
  const rep = (v: SparseVector[]): PaperRepresentation[] => v.map((lexical, i) => ({ lexical, dense: dense[i] }));
  const storedRep = rep(stored);
  const freshRep = rep(fresh);
  const runRep = (r: PaperRepresentation[], c: FusionCalibration, lw: number) =>
    mean(perQuery((a, b) => fusedSimilarity(r[a], r[b], c, lw)));
  const year = papers[order[half]].year;
  console.log(
    `\nIncremental idf (glove-static-100d): first half (${half} papers, up to ${year}) weighted with its own df; the rest weighted on arrival; nothing recomputed\n`,
  );
  console.log('| lexical weights | calibration | lexical alone | fused (λ 0.5) |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| recomputed from the final df | fresh | ${f3(mean(perQuery(cosine(fresh))))} | ${f3(runRep(freshRep, calFresh, 0.5))} |`);
  console.log(
    `| stored on arrival, never recomputed | fresh | ${f3(mean(perQuery(cosine(stored))))} | ${f3(runRep(storedRep, cal(stored), 0.5))} |`,
  );
  console.log(`| stored on arrival, never recomputed | first half's, never refreshed | — | ${f3(runRep(storedRep, calStale, 0.5))} |`);
  let maxDiff = 0;
  let sumDiff = 0;
  for (let i = 0; i < papers.length; i++) {
    const d = Math.abs(sparseDot(stored[i], fresh[i]) - 1);
    maxDiff = Math.max(maxDiff, d);
    sumDiff += d;
  }
  console.log(
    `\n1 − cos(stored, recomputed) per paper: mean ${(sumDiff / papers.length).toFixed(4)}, max ${maxDiff.toFixed(4)}; calibration first half ${f3(calStale.lexical.mean)} ± ${f3(calStale.lexical.std)} vs fresh ${f3(calFresh.lexical.mean)} ± ${f3(calFresh.lexical.std)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
