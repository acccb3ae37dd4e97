/**
 * The lexical variants the CSFCube ablation compares against the product's representation
 * (`@paperfeed/ranking` lexical.ts): Porter step 1, no stemming, character n-grams and BM25.
 * Rejected in bench/RESULTS.md, so they live here and not in the product.
 */
import { DfTable, Stemmer, TermCounts, tokenize } from '@paperfeed/ranking';

const VOWEL = /[aeiou]/;
/** Porter's "measure" m of a stem: the number of vowel-consonant sequences. */
function measure(stem: string): number {
  const form = stem
    .replace(/[^aeiou]+/g, 'C')
    .replace(/[aeiouy]+/g, 'V')
    .replace(/^C/, '');
  return (form.match(/VC/g) ?? []).length;
}
const hasVowel = (stem: string) => VOWEL.test(stem) || /.y/.test(stem);
const endsDoubleConsonant = (w: string) => w.length > 1 && w[w.length - 1] === w[w.length - 2] && !/[aeiou]/.test(w[w.length - 1]);
const endsCvc = (w: string) => /[^aeiou][aeiouy][^aeiouwxy]$/.test(w);

/**
 * Porter's step 1 (1a plurals, 1b -ed/-ing, 1c y→i): inflections only, no derivational suffixes,
 * so "networks"→"network", "trained"/"training"→"train", but "learning" stays apart from "learned"
 * only where Porter would (both → "learn"). Words of 3 letters or fewer are kept.
 */
export function porterStep1(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  // 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('ss')) {
    /* keep */
  } else if (w.endsWith('s') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  // 1b
  let second = false;
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    second = true;
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3);
    second = true;
  }
  if (second) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (endsDoubleConsonant(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
    else if (measure(w) === 1 && endsCvc(w)) w += 'e';
  }
  // 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + 'i';
  return w;
}

export const identityStem: Stemmer = (w) => w;

/** Character n-grams of each word (with "_" word boundaries), title × titleWeight: an alternative to stemming, for the ablation. */
export function charGramTerms(paper: { title: string; abstract: string }, n: number, titleWeight = 2): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const token of tokenize(text)) {
      if (token === null) continue;
      const word = `_${token}_`;
      if (word.length <= n) terms.set(word, (terms.get(word) ?? 0) + weight);
      else for (let i = 0; i + n <= word.length; i++) terms.set(word.slice(i, i + n), (terms.get(word.slice(i, i + n)) ?? 0) + weight);
    }
  };
  add(paper.title, titleWeight);
  add(paper.abstract, 1);
  return terms;
}

/**
 * BM25 (Robertson; k1, b as usual) of a document for a query paper's terms, each query term
 * weighted by its sublinear query tf. Not symmetric, not bounded: an alternative to the cosine.
 */
export function bm25(query: TermCounts, doc: TermCounts, docLength: number, avgDocLength: number, df: DfTable, k1 = 1.2, b = 0.75): number {
  let i = 0;
  let j = 0;
  let score = 0;
  const norm = k1 * (1 - b + (b * docLength) / avgDocLength);
  while (i < query.ids.length && j < doc.ids.length) {
    const x = query.ids[i];
    const y = doc.ids[j];
    if (x === y) {
      const d = df.get(x);
      const idf = Math.log(1 + (df.docs - d + 0.5) / (d + 0.5));
      const tf = doc.counts[j];
      score += (1 + Math.log(query.counts[i])) * idf * ((tf * (k1 + 1)) / (tf + norm));
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return score;
}
