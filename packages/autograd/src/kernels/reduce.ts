import type { FloatArray } from './dtype.ts';
import { allocate, dtypeOf } from './dtype.ts';
import type { Shape } from './shape.ts';
import { reducedShape, sameShape, shapeStr, sizeOf, stridesOf } from './shape.ts';
import { broadcastStrides, walk2 } from './strided.ts';
import { kernels } from './table.ts';

/** Strides into the reduced output (keepDims layout) for a walk over the input: reduced axes step by 0. */
function reductionStrides(shape: Shape, axes: readonly number[]): number[] {
  const kept = stridesOf(reducedShape(shape, axes, true));
  return shape.map((_, i) => (axes.includes(i) ? 0 : kept[i]));
}

/** True when `target`, without its leading 1s, equals the trailing axes of `shape`. */
function isTrailingOf(target: Shape, shape: Shape): boolean {
  let t = 0;
  while (t < target.length && target[t] === 1) t++;
  const offset = shape.length - (target.length - t);
  if (offset < 0) return false;
  for (let i = t; i < target.length; i++) if (target[i] !== shape[offset + i - t]) return false;
  return true;
}

/** out = Σ over `axes` of x (out has the reduced size; keepDims only changes the shape, not the buffer) */
export function sumAxes(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): FloatArray {
  const rank = shape.length;
  if (axes.length > 0 && axes[axes.length - 1] === rank - 1 && axes[0] === rank - axes.length) {
    // trailing axes: one contiguous run per output element (softmax's Σ_j over a row)
    const len = x.length / Math.max(out.length, 1);
    for (let o = 0; o < out.length; o++) {
      let s = 0;
      const base = o * len;
      for (let j = 0; j < len; j++) s += x[base + j];
      out[o] = s;
    }
    return out;
  }
  if (axes.length > 0 && axes[0] === 0 && axes[axes.length - 1] === axes.length - 1) {
    return sumRows(x, out, x.length / Math.max(out.length, 1), out.length); // leading axes: column sums
  }
  out.fill(0);
  const so = reductionStrides(shape, axes);
  walk2(shape, stridesOf(shape), so, (ix, io) => {
    out[io] += x[ix];
  });
  return out;
}

/**
 * out = max over `axes` of x, and `argmax[o]` = the flat input index of the first maximum for each output element.
 * NaN propagates (a NaN anywhere in a slice makes its maximum NaN), as in PyTorch.
 */
export function maxAxes(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray, argmax: Int32Array): FloatArray {
  out.fill(-Infinity);
  argmax.fill(-1);
  const so = reductionStrides(shape, axes);
  walk2(shape, stridesOf(shape), so, (ix, io) => {
    const v = x[ix];
    if (argmax[io] === -1 || v > out[io] || (v !== v && out[io] === out[io])) {
      out[io] = v;
      argmax[io] = ix;
    }
  });
  return out;
}

/** The gradient of a broadcast: sums `g` (of `gShape`) back down to `target`, the shape it was broadcast from. */
export function sumToShape(g: FloatArray, gShape: Shape, target: Shape): FloatArray {
  if (sameShape(gShape, target)) return g;
  const out = allocate(dtypeOf(g), sizeOf(target));
  if (target.length > gShape.length) {
    throw new Error(`sumToShape: cannot reduce ${shapeStr(gShape)} to the larger rank of ${shapeStr(target)}`);
  }
  // a bias-row broadcast, a row of width 1 included: summed row by row in the dtype, as the manual engine's ∂loss/∂b^l
  const biasRow = target.length > 0 && target[target.length - 1] === gShape[gShape.length - 1] && isTrailingOf(target, gShape);
  if (biasRow) return sumRows(g, out, g.length / out.length, out.length);
  if (out.length === 1) {
    out[0] = sumAll(g);
    return out;
  }
  const st = broadcastStrides(target, gShape);
  walk2(gShape, stridesOf(gShape), st, (ig, it) => {
    out[it] += g[ig];
  });
  return out;
}

/** out (cols) = Σ_rows x, the column sums of a rows × cols matrix: ∂loss/∂b = Σ_k δ_k (a row of table.ts) */
export const sumRows = kernels.sumRows;

/** Σ x over every element, accumulated in float64. */
export function sumAll(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Σ_i (a_i − b_i)² over two buffers of the same length, accumulated in float64: the numerator of mse. */
export function sumSquaredDiff(a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/**
 * How many rows of x (rows × cols) have their largest value (the first one on a tie) at column labels[r]: the
 * correct predictions among `rows` logits. A row holding NaN counts as wrong.
 */
export function countCorrect(x: FloatArray, rows: number, cols: number, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let best = 0;
    let max = x[o];
    let nan = max !== max;
    for (let c = 1; c < cols; c++) {
      const v = x[o + c];
      if (v > max) {
        max = v;
        best = c;
      } else if (v !== v) nan = true;
    }
    if (!nan && best === labels[r]) correct++;
  }
  return correct;
}
