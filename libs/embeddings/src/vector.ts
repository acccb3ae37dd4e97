/**
 * True when a vector can be stored and compared: every value finite and a norm clearly above 0.
 * Models give NaN for texts with no known token (mean of nothing) and zero vectors for padding.
 */
export function isUsableVector(vector: ArrayLike<number>): boolean {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i];
    if (!Number.isFinite(value)) return false;
    squares += value * value;
  }
  return vector.length > 0 && squares > 1e-12;
}

/** pgvector's text form, e.g. "[0.1,0.2]". */
export function toPgvector(vector: ArrayLike<number>): string {
  return `[${Array.prototype.join.call(vector, ',')}]`;
}
