/** TF-IDF (sublinear tf, l2-normalised, English stop words removed) for the feed baselines. */
const STOP = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were we with our these which can using based via into over than such also their they both more most not no'.split(
    ' ',
  ),
);

export type SparseVector = Map<number, number>;

export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .match(/[a-z][a-z0-9-]{1,}/g)
      ?.filter((t) => !STOP.has(t)) ?? []
  );
}

export function buildTfidf(texts: string[], minDf = 2): SparseVector[] {
  const docs = texts.map(tokenize);
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const vocabulary = new Map<string, number>();
  for (const [term, count] of df) if (count >= minDf) vocabulary.set(term, vocabulary.size);
  const n = docs.length;
  return docs.map((doc) => {
    const tf = new Map<number, number>();
    for (const term of doc) {
      const index = vocabulary.get(term);
      if (index !== undefined) tf.set(index, (tf.get(index) ?? 0) + 1);
    }
    const vector: SparseVector = new Map();
    let norm = 0;
    for (const [index, count] of tf) {
      const weight = (1 + Math.log(count)) * (Math.log((1 + n) / (1 + (df.get(termOf(vocabulary, index)) ?? 0))) + 1);
      vector.set(index, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [index, weight] of vector) vector.set(index, weight / norm);
    return vector;
  });
}

const reverse = new WeakMap<Map<string, number>, string[]>();
function termOf(vocabulary: Map<string, number>, index: number): string {
  let terms = reverse.get(vocabulary);
  if (!terms) {
    terms = [];
    for (const [term, i] of vocabulary) terms[i] = term;
    reverse.set(vocabulary, terms);
  }
  return terms[index];
}

export function sparseDot(a: SparseVector, b: SparseVector | Float64Array): number {
  let sum = 0;
  if (b instanceof Float64Array) {
    for (const [index, weight] of a) sum += weight * b[index];
    return sum;
  }
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const [index, weight] of small) {
    const other = large.get(index);
    if (other !== undefined) sum += weight * other;
  }
  return sum;
}

/** The l2-normalised mean of sparse vectors, dense. */
export function centroid(vectors: SparseVector[], dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (const v of vectors) for (const [index, weight] of v) mean[index] += weight;
  const norm = Math.hypot(...mean) || 1;
  return mean.map((x) => x / norm);
}

/**
 * arxiv-sanity-lite's per-user classifier: a linear SVM (hinge loss, C = 0.01 as there) on TF-IDF,
 * the user's papers positive, the others negative; trained by Pegasos (stochastic sub-gradient).
 */
export function trainLinearSvm(positives: SparseVector[], negatives: SparseVector[], dim: number, C = 0.01, epochs = 5): Float64Array {
  const samples = [...positives.map((x) => ({ x, y: 1 })), ...negatives.map((x) => ({ x, y: -1 }))];
  const lambda = 1 / (C * samples.length);
  const w = new Float64Array(dim);
  let scale = 1; // w is stored as scale · w
  let t = 1;
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < samples.length; i++, t++) {
      const { x, y } = samples[Math.floor(next() * samples.length)];
      const eta = 1 / (lambda * t);
      const margin = y * scale * sparseDot(x, w);
      scale *= 1 - eta * lambda;
      if (scale < 1e-9) {
        for (let j = 0; j < dim; j++) w[j] *= scale;
        scale = 1;
      }
      if (margin < 1) for (const [index, weight] of x) w[index] += (eta * y * weight) / scale;
    }
  }
  return w.map((value) => value * scale);
}
