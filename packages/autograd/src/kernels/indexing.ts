import type { FloatArray } from './dtype.ts';
import type { Shape } from './shape.ts';
import { stridesOf } from './shape.ts';
import { axisView } from './softmax.ts';

// Index maps for picking elements along an axis: each returns the flat (row-major) index into the source for every
// element of the result, so that one `take` does the forward and one `scatterAdd` (its adjoint) the backward of
// select, narrow, slice, indexSelect, gather and each piece of cat.

/**
 * Flat indices into a tensor of `shape` of the elements at `positions` along `axis`, in the row-major order of the
 * result (`shape` with the axis's length replaced by `positions.length`).
 */
export function axisPositions(shape: Shape, axis: number, positions: ArrayLike<number>): Int32Array {
  const [outer, len, inner] = axisView(shape, axis);
  const n = positions.length;
  const index = new Int32Array(outer * n * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * len * inner;
    for (let p = 0; p < n; p++) {
      const start = base + positions[p] * inner;
      for (let q = 0; q < inner; q++) index[o++] = start + q;
    }
  }
  return index;
}

/** positions start, start + step, … (`count` of them) */
export function arithmeticPositions(start: number, count: number, step = 1): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  return out;
}

/**
 * gather's index map: for every element of `indexShape` (row-major), the flat index into a tensor of `shape` whose
 * coordinates are that element's, except along `axis`, where it is the element's value:
 * out[i₀ … i_axis … i_r] = x[i₀ … index[i₀ … i_r] … i_r].
 */
export function gatherPositions(shape: Shape, axis: number, index: ArrayLike<number>, indexShape: Shape): Int32Array {
  const strides = stridesOf(shape);
  const rank = indexShape.length;
  const out = new Int32Array(index.length);
  const coord = new Array<number>(rank).fill(0);
  let base = 0; // Σ_{d ≠ axis} coord_d · stride_d
  for (let i = 0; i < index.length; i++) {
    out[i] = base + index[i] * strides[axis];
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]++;
      if (d !== axis) base += strides[d];
      if (coord[d] < indexShape[d]) break;
      if (d !== axis) base -= strides[d] * indexShape[d];
      coord[d] = 0;
    }
  }
  return out;
}

/** out[index[i]] = values[i] (the other elements of `out` are left as they are) */
export function put(values: FloatArray, index: ArrayLike<number>, out: FloatArray): FloatArray {
  for (let i = 0; i < index.length; i++) out[index[i]] = values[i];
  return out;
}
