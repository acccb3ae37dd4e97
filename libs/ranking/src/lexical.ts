/**
 * Lexical representation of a paper for similar-paper scoring (issue 13; measured in
 * bench/RESULTS.md, "Similar papers on CSFCube"). A paper becomes a bag of terms (stemmed
 * unigrams and, optionally, bigrams of adjacent content words; title terms counted `titleWeight`
 * times) — its term counts are what the database stores — then a weighted sparse vector
 * (sublinear tf × idf, l2-normalised) against a document-frequency table that can grow one paper
 * at a time. Sparse vectors are sorted parallel arrays (term id ascending), so they store compactly
 * and their dot product is a merge.
 */

/** A short English + academic-boilerplate stop list (function words; no domain words). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also although am among an and any are as at be because been before being below between both but by ' +
    'can could did do does doing done down during each either else etc even ever every few for from further had has have having he her here hers ' +
    'him his how however i if in into is it its itself just let may me might more most much must my neither no nor not now of off often on once ' +
    'one only onto or other others otherwise our ours out over own per rather same several shall she should since so some such than that the their ' +
    'theirs them themselves then there thereby therefore these they this those though through thus to too under until up upon us very via was we ' +
    'well were what when where whether which while who whom whose why will with within without would yet you your ' +
    // words that open or glue every abstract and say nothing about its content
    'paper propose proposed present presents show shows shown use used uses using based approach new novel'
  ).split(' '),
);

export type Stemmer = (word: string) => string;

/** Harman's S-stemmer (1991): only plurals. */
export function sStem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return word.slice(0, -3) + 'y';
  if (word.endsWith('es') && !word.endsWith('aes') && !word.endsWith('ees') && !word.endsWith('oes')) return word.slice(0, -1);
  if (word.endsWith('s') && !word.endsWith('us') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export interface TermOptions {
  stem: Stemmer;
  /** Title terms count this many times (before sublinear tf). */
  titleWeight: number;
  /** Add bigrams of adjacent content words (no stop word between them). */
  bigrams: boolean;
}

export const DEFAULT_TERM_OPTIONS: TermOptions = { stem: sStem, titleWeight: 2, bigrams: false };

/**
 * Lower-case, split on anything but letters and digits (so "pseudo-relevance" gives two words),
 * keep words of 2+ characters with a letter. Stop words become `null`: they break bigrams.
 */
export function tokenize(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || !/[a-z]/.test(raw)) {
      if (raw.length) out.push(null);
      continue;
    }
    out.push(STOP_WORDS.has(raw) ? null : raw);
  }
  return out;
}

/** The terms of one text field with their counts, added into `into`. */
export function addFieldTerms(text: string, weight: number, options: TermOptions, into: Map<string, number>): Map<string, number> {
  // Sentence ends and punctuation other than hyphens also break bigrams.
  for (const sentence of text.split(/[.;:!?()[\]{},"]+/)) {
    let previous: string | null = null;
    for (const token of tokenize(sentence)) {
      if (token === null) {
        previous = null;
        continue;
      }
      const term = options.stem(token);
      into.set(term, (into.get(term) ?? 0) + weight);
      if (options.bigrams && previous !== null) {
        const bigram = `${previous} ${term}`;
        into.set(bigram, (into.get(bigram) ?? 0) + weight);
      }
      previous = term;
    }
  }
  return into;
}

/** A paper's term counts: title terms × titleWeight, abstract terms × 1. */
export function paperTerms(paper: { title: string; abstract: string }, options: TermOptions = DEFAULT_TERM_OPTIONS): Map<string, number> {
  const terms = new Map<string, number>();
  addFieldTerms(paper.title, options.titleWeight, options, terms);
  addFieldTerms(paper.abstract, 1, options, terms);
  return terms;
}

/** Term ↔ id, growing as papers arrive; ids are never reused. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  get size(): number {
    return this.terms.length;
  }
  id(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.ids.set(term, id);
      this.terms.push(term);
    }
    return id;
  }
  lookup(term: string): number | undefined {
    return this.ids.get(term);
  }
  term(id: number): string {
    return this.terms[id];
  }
}

/** Term counts keyed by term id (the stored, weight-free representation of a paper). */
export interface TermCounts {
  ids: Uint32Array; // ascending
  counts: Float32Array;
}

export function toTermCounts(terms: Map<string, number>, vocabulary: Vocabulary): TermCounts {
  const pairs = [...terms].map(([term, count]) => [vocabulary.id(term), count] as const).sort((a, b) => a[0] - b[0]);
  return { ids: Uint32Array.from(pairs, (p) => p[0]), counts: Float32Array.from(pairs, (p) => p[1]) };
}

/** What weighing needs of the df table: the corpus size and one term's df (0 if unseen). */
export interface DfTable {
  readonly docs: number;
  get(id: number): number;
}

/**
 * Document frequencies, maintained incrementally: `add` when a paper arrives, `remove` when one
 * is deleted or its text changes. idf depends only on (docs, df[t]), so it can be recomputed for
 * any term at any time without touching other papers.
 */
export class DocumentFrequencies implements DfTable {
  docs = 0;
  private df = new Uint32Array(1024);
  add(paper: TermCounts): void {
    this.docs++;
    for (const id of paper.ids) {
      if (id >= this.df.length) {
        const grown = new Uint32Array(Math.max(this.df.length * 2, id + 1));
        grown.set(this.df);
        this.df = grown;
      }
      this.df[id]++;
    }
  }
  remove(paper: TermCounts): void {
    this.docs--;
    for (const id of paper.ids) this.df[id]--;
  }
  get(id: number): number {
    return id < this.df.length ? this.df[id] : 0;
  }
}

/** Smoothed idf, as scikit-learn's: ln((1 + N) / (1 + df)) + 1. Never 0, finite for unseen terms. */
export function smoothIdf(df: number, docs: number): number {
  return Math.log((1 + docs) / (1 + df)) + 1;
}

/** A weighted, l2-normalised sparse vector; ids ascending. */
export interface SparseVector {
  ids: Uint32Array;
  weights: Float32Array;
}

export interface WeightOptions {
  /** Terms seen in fewer documents (counting the paper itself) get no weight: typos, one-off bigrams. */
  minDf: number;
  /** idf^p (1 = plain idf, 0 = tf only); only for the ablation. */
  idfPower?: number;
}

export const DEFAULT_WEIGHT_OPTIONS: WeightOptions = { minDf: 2 };

/** (1 + ln tf) · idf, l2-normalised. Terms below minDf are dropped. */
export function weighTerms(paper: TermCounts, df: DfTable, options: WeightOptions = DEFAULT_WEIGHT_OPTIONS): SparseVector {
  const ids: number[] = [];
  const weights: number[] = [];
  let norm = 0;
  for (let i = 0; i < paper.ids.length; i++) {
    const d = df.get(paper.ids[i]);
    if (d < options.minDf) continue;
    const w = (1 + Math.log(paper.counts[i])) * smoothIdf(d, df.docs) ** (options.idfPower ?? 1);
    ids.push(paper.ids[i]);
    weights.push(w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  return { ids: Uint32Array.from(ids), weights: Float32Array.from(weights, (w) => w / norm) };
}

/** Dot product of two sparse vectors (a merge over ascending ids); the cosine when both are l2-normalised. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x === y) sum += a.weights[i++] * b.weights[j++];
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

/** Σ wᵢ·vᵢ, l2-normalised (Rocchio-style expansion); `keep` top weights only (0 = all). */
export function sparseCombine(parts: { vector: SparseVector; weight: number }[], keep = 0): SparseVector {
  const sum = new Map<number, number>();
  for (const { vector, weight } of parts) {
    for (let i = 0; i < vector.ids.length; i++) sum.set(vector.ids[i], (sum.get(vector.ids[i]) ?? 0) + weight * vector.weights[i]);
  }
  let entries = [...sum].filter(([, w]) => w > 0);
  if (keep > 0 && entries.length > keep) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, keep);
  entries.sort((a, b) => a[0] - b[0]);
  const norm = Math.sqrt(entries.reduce((s, [, w]) => s + w * w, 0)) || 1;
  return { ids: Uint32Array.from(entries, (e) => e[0]), weights: Float32Array.from(entries, (e) => e[1] / norm) };
}

/** The `n` heaviest terms of a vector (for an inverted-list candidate query). */
export function topTerms(vector: SparseVector, n: number): number[] {
  return [...vector.ids.keys()]
    .sort((a, b) => vector.weights[b] - vector.weights[a])
    .slice(0, n)
    .map((i) => vector.ids[i]);
}
