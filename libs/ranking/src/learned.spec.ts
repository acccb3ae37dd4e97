import { MIN_MODEL_POSITIVES, modelScorer, TrainingExample, trainLinearModel } from './learned';

/** A 4-d vector along `axis` with a little of the next axis. */
const along = (axis: number, tilt: number) => {
  const v = [0, 0, 0, 0];
  v[axis] = 1;
  v[(axis + 1) % 4] = tilt;
  return v;
};
const example = (axis: number, tilt: number, label: 0 | 1, categories: string[] = [], weight = 1): TrainingExample => ({
  vector: along(axis, tilt),
  categories,
  label,
  weight,
});

describe('trainLinearModel', () => {
  it('separates what the user liked from what they did not', () => {
    const model = trainLinearModel([
      ...[0, 0.1, 0.2, 0.3, 0.4].map((t) => example(0, t, 1)),
      ...[0, 0.1, 0.2, 0.3, 0.4, 0.5].map((t) => example(2, t, 0)),
    ])!;
    expect(modelScorer(model)(along(0, 0.25), [])).toBeGreaterThan(0.5);
    expect(modelScorer(model)(along(2, 0.25), [])).toBeLessThan(0.5);
  });

  it('learns categories as features', () => {
    // Same vectors on both sides: only the category tells them apart.
    const model = trainLinearModel([
      ...[0, 0.1, 0.2, 0.3, 0.4].map((t) => example(1, t, 1, ['cs.CV'])),
      ...[0, 0.1, 0.2, 0.3, 0.4].map((t) => example(1, t, 0, ['cs.CR'])),
    ])!;
    expect(modelScorer(model)(along(1, 0.2), ['cs.CV'])).toBeGreaterThan(modelScorer(model)(along(1, 0.2), ['cs.CR']));
    expect(modelScorer(model)(along(1, 0.2), ['q-bio.NC'])).toBeCloseTo(0.5, 1); // unknown category: no opinion
  });

  it('balances a few positives against many negatives', () => {
    const model = trainLinearModel([
      ...[0, 0.1, 0.2, 0.3, 0.4].map((t) => example(0, t, 1)),
      ...Array.from({ length: 200 }, (_, i) => example(2, (i % 10) / 10, 0)),
    ])!;
    expect(modelScorer(model)(along(0, 0.2), [])).toBeGreaterThan(0.5);
  });

  it('needs enough positives and at least one negative, and is deterministic', () => {
    const few = Array.from({ length: MIN_MODEL_POSITIVES - 1 }, (_, i) => example(0, i / 10, 1));
    expect(trainLinearModel([...few, example(2, 0, 0)])).toBeNull();
    const onlyPositives = [...few, example(0, 0.9, 1)];
    expect(trainLinearModel(onlyPositives)).toBeNull();
    const enough = [...onlyPositives, example(2, 0, 0)];
    expect(trainLinearModel(enough)).toEqual(trainLinearModel(enough));
  });

  it('has no opinion on a vector of another embedding space', () => {
    const model = trainLinearModel([...[0, 0.1, 0.2, 0.3, 0.4].map((t) => example(0, t, 1)), example(2, 0, 0)])!;
    expect(modelScorer(model)([1, 0, 0], [])).toBe(0.5);
  });
});
