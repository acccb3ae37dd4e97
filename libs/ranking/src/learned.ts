/**
 * The learned per-user component of the feed (Scholar Inbox's idea): a logistic regression over a
 * paper's embedding and its arXiv categories, trained by the worker on the user's positives
 * (saves, upvotes, clicks, views), their dismissals and a sample of papers they never touched
 * (implicit negatives, as arxiv-sanity-lite uses every other paper). Pure and deterministic.
 */

export interface TrainingExample {
  vector: ArrayLike<number>;
  categories: readonly string[];
  /** 1: the user wants papers like this; 0: they do not. */
  label: 0 | 1;
  weight: number;
}

export interface LinearModel {
  bias: number;
  /** One weight per embedding dimension, then one per entry of `categories`. */
  weights: number[];
  categories: string[];
}

/** Below this many positives a model would mostly learn noise; the feed goes without one. */
export const MIN_MODEL_POSITIVES = 5;

export interface TrainingOptions {
  /** L2 penalty on the weights (not the bias). */
  l2: number;
  iterations: number;
  learningRate: number;
}

export const TRAINING: TrainingOptions = { l2: 0.01, iterations: 300, learningRate: 2 };

/** The embedding followed by a 0/1 indicator per known category. */
function features(categoryIndex: Map<string, number>, vector: ArrayLike<number>, categories: readonly string[]): Float64Array {
  const x = new Float64Array(vector.length + categoryIndex.size);
  for (let i = 0; i < vector.length; i++) x[i] = vector[i];
  for (const category of categories) {
    const index = categoryIndex.get(category);
    if (index !== undefined) x[vector.length + index] = 1;
  }
  return x;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Full-batch gradient descent on the weighted log loss. Positives and negatives are balanced: each
 * side carries half the total weight, so a handful of saves is not drowned by the sampled
 * negatives. Returns null without both sides or with fewer than MIN_MODEL_POSITIVES positives.
 */
export function trainLinearModel(examples: TrainingExample[], options: TrainingOptions = TRAINING): LinearModel | null {
  const positives = examples.filter((e) => e.label === 1 && e.weight > 0);
  const negatives = examples.filter((e) => e.label === 0 && e.weight > 0);
  if (positives.length < MIN_MODEL_POSITIVES || negatives.length === 0) return null;
  const sideWeight = (side: TrainingExample[]) => side.reduce((sum, e) => sum + e.weight, 0);
  const scale = { 1: 0.5 / sideWeight(positives), 0: 0.5 / sideWeight(negatives) };
  const categories = [...new Set(examples.flatMap((e) => e.categories))].sort();
  const categoryIndex = new Map(categories.map((c, i) => [c, i]));
  const used = [...positives, ...negatives];
  const xs = used.map((e) => features(categoryIndex, e.vector, e.categories));
  const dim = xs[0].length;
  const w = new Float64Array(dim);
  let bias = 0;
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const gradient = new Float64Array(dim);
    let biasGradient = 0;
    for (let n = 0; n < used.length; n++) {
      const x = xs[n];
      let z = bias;
      for (let i = 0; i < dim; i++) z += w[i] * x[i];
      const error = (sigmoid(z) - used[n].label) * used[n].weight * scale[used[n].label];
      for (let i = 0; i < dim; i++) gradient[i] += error * x[i];
      biasGradient += error;
    }
    for (let i = 0; i < dim; i++) w[i] -= options.learningRate * (gradient[i] + options.l2 * w[i]);
    bias -= options.learningRate * biasGradient;
  }
  return { bias, weights: Array.from(w), categories };
}

/** The model made ready to score many papers: the probability it gives that the user wants one. */
export function modelScorer(model: LinearModel): (vector: ArrayLike<number>, categories: readonly string[]) => number {
  const dim = model.weights.length - model.categories.length;
  const weights = Float64Array.from(model.weights.slice(0, dim));
  const byCategory = new Map(model.categories.map((category, i) => [category, model.weights[dim + i]]));
  return (vector, categories) => {
    if (vector.length !== dim) return 0.5; // trained in another embedding space: no opinion
    let z = model.bias;
    for (let i = 0; i < dim; i++) z += weights[i] * vector[i];
    for (const category of categories) z += byCategory.get(category) ?? 0;
    return sigmoid(z);
  };
}
