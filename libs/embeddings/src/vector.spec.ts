import { isUsableVector, toPgvector } from './vector';

describe('isUsableVector', () => {
  it('accepts a finite, non-zero vector', () => {
    expect(isUsableVector(Float32Array.from([0.6, 0.8]))).toBe(true);
  });

  it.each([
    ['NaN (a text with no known token)', [Number.NaN, Number.NaN]],
    ['infinity', [Infinity, 0]],
    ['all zeros', [0, 0, 0]],
    ['empty', []],
  ])('rejects %s', (_, values) => {
    expect(isUsableVector(Float32Array.from(values))).toBe(false);
  });
});

describe('toPgvector', () => {
  it('writes pgvector text form', () => {
    expect(toPgvector([0.5, -1, 2])).toBe('[0.5,-1,2]');
  });
});
