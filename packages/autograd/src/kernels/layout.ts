import type { FloatArray } from './dtype.ts';
import { kernels } from './table.ts';

/** Any typed array of numbers: a data set's images (Uint8Array), labels (Int32Array), features (Float32Array). */
export type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

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

/**
 * Rows of a row-major x (each `width` values) gathered by index into out, which it returns: row r of out is row
 * index[start + r] of x, for r < count. How a DataLoader fills a batch in its reused buffer. A kernel-table row
 * (table.ts): the JS copies (gatherRowsRef), or on the native backend memcpy in C across the kernels' threads.
 */
export const gatherRows = kernels.gatherRows;

/** Throws unless every entry of `index` is an integer in [0, size). */
export function checkIndex(op: string, index: ArrayLike<number>, size: number): void {
  for (let i = 0; i < index.length; i++) {
    const j = index[i];
    if (!Number.isInteger(j) || j < 0 || j >= size) {
      throw new Error(`${op}: index ${j} at position ${i} is out of range; expected an integer in [0, ${size - 1}]`);
    }
  }
}
