import type { FloatArray } from './dtype.ts';
import type { Shape } from './shape.ts';
import { sameShape, sizeOf, stridesOf } from './shape.ts';

// Comparisons, selections and their masks, with NumPy broadcasting: the kernels behind gt/lt/eq, where,
// maximum/minimum, clamp and abs. None is in a hot loop of training, so each takes one general path (an index map
// per broadcast operand) rather than a loop per layout.

/** For every element of `target` (row-major), the flat index of the element of a `shape` tensor broadcast onto it. */
export function broadcastIndex(shape: Shape, target: Shape): Int32Array {
  const n = sizeOf(target);
  const out = new Int32Array(n);
  const offset = target.length - shape.length;
  const own = stridesOf(shape);
  const rank = target.length;
  const strides = target.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]));
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    out[i] = at;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]++;
      at += strides[d];
      if (coord[d] < target[d]) break;
      at -= strides[d] * target[d];
      coord[d] = 0;
    }
  }
  return out;
}

/** out = f(a, b) element by element, a and b broadcast to outShape. */
function binary(
  a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape, f: (x: number, y: number) => number,
): FloatArray {
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    for (let i = 0; i < out.length; i++) out[i] = f(a[i], b[i]);
    return out;
  }
  const ia = broadcastIndex(aShape, outShape);
  const ib = broadcastIndex(bShape, outShape);
  for (let i = 0; i < out.length; i++) out[i] = f(a[ia[i]], b[ib[i]]);
  return out;
}

type Binary = (a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape) => FloatArray;

/** out = 1 where a > b, else 0 (and so on for the others); NaN compares false, except in ne */
export const greater: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x > y ? 1 : 0));
export const less: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x < y ? 1 : 0));
export const greaterEqual: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x >= y ? 1 : 0));
export const lessEqual: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x <= y ? 1 : 0));
export const equal: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x === y ? 1 : 0));
export const notEqual: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x !== y ? 1 : 0));

/** out = max(a, b) / min(a, b) element-wise; NaN if either is NaN (as torch.maximum/minimum) */
export const maximum: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, Math.max);
export const minimum: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, Math.min);

/**
 * The share of maximum(a, b)'s gradient that goes to a, as PyTorch splits it: 0 where a < b, ½ where a = b (a tie
 * splits it evenly), 1 otherwise (NaN included). With the operands swapped it is b's share; minimum's shares are
 * maximum's swapped.
 */
export const greaterShare: Binary = (a, as, b, bs, out, os) => binary(a, as, b, bs, out, os, (x, y) => (x < y ? 0 : x === y ? 0.5 : 1));

/** out = a where cond ≠ 0, else b; all three broadcast to outShape */
export function where(
  cond: ArrayLike<number>, condShape: Shape, a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, out: FloatArray, outShape: Shape,
): FloatArray {
  const ic = broadcastIndex(condShape, outShape);
  const ia = broadcastIndex(aShape, outShape);
  const ib = broadcastIndex(bShape, outShape);
  for (let i = 0; i < out.length; i++) out[i] = cond[ic[i]] !== 0 ? a[ia[i]] : b[ib[i]];
  return out;
}

/** out = |x| */
export function abs(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]);
  return out;
}

/** out = −1, 0 or 1 by the sign of x (0 for ±0, NaN for NaN) */
export function sign(x: FloatArray, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.sign(x[i]);
  return out;
}

/** out = min(max(x, low), high) (NaN stays NaN) */
export function clamp(x: FloatArray, low: number, high: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(Math.max(x[i], low), high);
  return out;
}

/** out = 1 where low ≤ x ≤ high (clamp passes x through, bounds included, as in PyTorch), else 0 */
export function insideMask(x: FloatArray, low: number, high: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] >= low && x[i] <= high ? 1 : 0;
  return out;
}

/** out = 1 where scale·x > threshold, else 0 */
export function aboveMask(x: FloatArray, scale: number, threshold: number, out: FloatArray): FloatArray {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * scale > threshold ? 1 : 0;
  return out;
}
