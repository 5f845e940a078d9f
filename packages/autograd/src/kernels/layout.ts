import type { FloatArray } from './dtype.ts';

// Moving elements without arithmetic: a 2-D transpose, and reading/adding through a list of flat indices
// (the forward and the adjoint of `take`, which is how the gradient of `max` reaches its argmax).

/** out (cols × rows) = xᵀ, where x is stored rows × cols */
export function transpose2d(x: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  for (let i = 0; i < rows; i++) {
    const xi = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = x[xi + j];
  }
  return out;
}

/** out[i] = x[index[i]] (flat, row-major indices) */
export function take(x: FloatArray, index: ArrayLike<number>, out: FloatArray): FloatArray {
  for (let i = 0; i < index.length; i++) out[i] = x[index[i]];
  return out;
}

/** out[index[i]] += values[i]; `out` is not cleared, and repeated indices add up (the adjoint of `take`) */
export function scatterAdd(values: FloatArray, index: ArrayLike<number>, out: FloatArray): FloatArray {
  for (let i = 0; i < index.length; i++) out[index[i]] += values[i];
  return out;
}

/** Throws unless every entry of `index` is an integer in [0, size). */
export function checkIndex(op: string, index: ArrayLike<number>, size: number): void {
  for (let i = 0; i < index.length; i++) {
    const j = index[i];
    if (!Number.isInteger(j) || j < 0 || j >= size) {
      throw new Error(`${op}: index ${j} at position ${i} is out of range; expected an integer in [0, ${size - 1}]`);
    }
  }
}
