import { broadcastIndex } from './compare.ts';
import type { FloatArray } from './dtype.ts';
import type { Shape } from './shape.ts';
import { reducedShape } from './shape.ts';
import { axisView } from './softmax.ts';

// Reductions over axes beyond sum and max: min (with its argmin), log-sum-exp and variance. Each walks the input
// once per pass in row-major order with a map from every input element to its output element (the broadcast index
// of the reduced shape), so any set of axes takes the same loop.

/** For every element of a `shape` tensor, the flat index of the output element that reducing `axes` sends it to. */
export function reductionIndex(shape: Shape, axes: readonly number[]): Int32Array {
  return broadcastIndex(reducedShape(shape, axes, true), shape);
}

/**
 * out = min over `axes` of x, and `argmin[o]` = the flat input index of the first minimum of each output element
 * (row-major order). NaN propagates (a NaN anywhere in a slice makes its minimum NaN), as in PyTorch.
 */
export function minAxes(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray, argmin: Int32Array): FloatArray {
  const map = reductionIndex(shape, axes);
  out.fill(Infinity);
  argmin.fill(-1);
  for (let i = 0; i < x.length; i++) {
    const o = map[i];
    const v = x[i];
    if (argmin[o] === -1 || v < out[o] || (v !== v && out[o] === out[o])) {
      out[o] = v;
      argmin[o] = i;
    }
  }
  return out;
}

/** The positions along `axis` of flat indices into a `shape` tensor (an argmax over that axis, from maxAxes'). */
export function positionsAlongAxis(flat: Int32Array, shape: Shape, axis: number, out: FloatArray): FloatArray {
  const [, len, inner] = axisView(shape, axis);
  for (let i = 0; i < flat.length; i++) out[i] = Math.floor(flat[i] / inner) % len;
  return out;
}

/**
 * out = ln Σ exp(x) over `axes`, as m + ln Σ exp(x − m) with m the slice maximum (m taken as 0 where it is ±∞,
 * as PyTorch does, so that a slice of −∞ gives −∞ and one holding +∞ gives +∞ rather than NaN).
 */
export function logSumExpAxes(x: FloatArray, shape: Shape, axes: readonly number[], out: FloatArray): FloatArray {
  const map = reductionIndex(shape, axes);
  const m = new Float64Array(out.length).fill(-Infinity);
  for (let i = 0; i < x.length; i++) m[map[i]] = Math.max(m[map[i]], x[i]);
  for (let o = 0; o < m.length; o++) if (m[o] === Infinity || m[o] === -Infinity) m[o] = 0;
  const s = new Float64Array(out.length);
  for (let i = 0; i < x.length; i++) s[map[i]] += Math.exp(x[i] - m[map[i]]);
  for (let o = 0; o < out.length; o++) out[o] = Math.log(s[o]) + m[o];
  return out;
}

/** out = Σ (x − x̄)² / (n − correction) over `axes`, n elements per slice (two passes: the mean, then the squares). */
export function varianceAxes(x: FloatArray, shape: Shape, axes: readonly number[], correction: number, out: FloatArray): FloatArray {
  const map = reductionIndex(shape, axes);
  const n = out.length === 0 ? 0 : x.length / out.length;
  const mean = new Float64Array(out.length);
  for (let i = 0; i < x.length; i++) mean[map[i]] += x[i];
  for (let o = 0; o < mean.length; o++) mean[o] /= n;
  const squares = new Float64Array(out.length);
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean[map[i]];
    squares[map[i]] += d * d;
  }
  for (let o = 0; o < out.length; o++) out[o] = squares[o] / (n - correction);
  return out;
}
