import type { FloatArray } from './dtype.ts';
import { formatValue } from './format.ts';
import type { Shape } from './shape.ts';

// Softmax along one axis of a row-major tensor. The tensor is viewed as [outer, len, inner]: the axis has
// `len` entries spaced `inner` apart. Every slice has its maximum subtracted first, so logits of ±1000 (and far
// beyond) stay finite: softmax(z)_i = e^{z_i − m} / Σ_j e^{z_j − m}, logSoftmax(z)_i = z_i − m − ln Σ_j e^{z_j − m}.

/** [outer, len, inner] for `axis` of `shape`. */
export function axisView(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

function softmaxInto(x: FloatArray, shape: Shape, axis: number, out: FloatArray, takeLog: boolean): FloatArray {
  const [outer, len, inner] = axisView(shape, axis);
  if (inner === 1 && !takeLog) return softmaxLastAxis(x, outer, len, out);
  for (let o = 0; o < outer; o++) {
    for (let q = 0; q < inner; q++) {
      const base = o * len * inner + q;
      let m = -Infinity;
      for (let i = 0; i < len; i++) m = Math.max(m, x[base + i * inner]);
      if (m === -Infinity) m = 0; // an all −∞ slice: keep NaN-free arithmetic below produce its own result
      let s = 0;
      for (let i = 0; i < len; i++) s += Math.exp(x[base + i * inner] - m);
      if (takeLog) {
        const lse = m + Math.log(s);
        for (let i = 0; i < len; i++) out[base + i * inner] = x[base + i * inner] - lse;
      } else {
        for (let i = 0; i < len; i++) out[base + i * inner] = Math.exp(x[base + i * inner] - m) / s;
      }
    }
  }
  return out;
}

/** The e^{z_j − m} of one row, kept in float64 between the sum and the division (a float32 `out` would round them). */
let rowExp = new Float64Array(16);

/**
 * Softmax of each contiguous row (the last axis): the same arithmetic as softmaxInto, bit for bit, with each
 * e^{z_j − m} computed once instead of once for the sum and again for the output (Math.exp is most of the cost).
 */
function softmaxLastAxis(x: FloatArray, rows: number, len: number, out: FloatArray): FloatArray {
  if (rowExp.length < len) rowExp = new Float64Array(len);
  const e = rowExp;
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    let m = -Infinity;
    for (let i = 0; i < len; i++) m = Math.max(m, x[base + i]);
    if (m === -Infinity) m = 0;
    let s = 0;
    for (let i = 0; i < len; i++) {
      const v = Math.exp(x[base + i] - m);
      e[i] = v;
      s += v;
    }
    for (let i = 0; i < len; i++) out[base + i] = e[i] / s;
  }
  return out;
}

/** out = softmax(x) along `axis` */
export function softmax(x: FloatArray, shape: Shape, axis: number, out: FloatArray): FloatArray {
  return softmaxInto(x, shape, axis, out, false);
}

/** out = log softmax(x) along `axis` */
export function logSoftmax(x: FloatArray, shape: Shape, axis: number, out: FloatArray): FloatArray {
  return softmaxInto(x, shape, axis, out, true);
}

/** out (rows × cols) = softmax of each row: the output layer a^n = softmax(z^n). */
export function softmaxRows(z: FloatArray, out: FloatArray, rows: number, cols: number): FloatArray {
  return softmaxInto(z, [rows, cols], 1, out, false);
}

/** Throws unless `labels` holds `rows` integers in [0, classes). */
export function checkLabels(op: string, labels: ArrayLike<number>, rows: number, classes: number): void {
  if (labels.length !== rows) {
    throw new Error(`${op}: got ${labels.length} labels for a batch of ${rows} rows; expected one class index per row`);
  }
  for (let r = 0; r < rows; r++) {
    const k = labels[r];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new Error(`${op}: label ${formatValue(k)} at row ${r} is not a class index; expected an integer in [0, ${classes - 1}]`);
    }
  }
}

/** log Σ_j e^{z_j} over the `cols` entries from `offset`, as m + log Σ_j e^{z_j − m} with m the row maximum. */
function logSumExpRow(z: FloatArray, offset: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) m = Math.max(m, z[offset + j]);
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(z[offset + j] - m);
  return m + Math.log(s);
}

/**
 * Mean cross-entropy of logits z (rows × cols) against class indices: (1/N) Σ_r [logsumexp(z_r) − z_{r,k_r}].
 * Computed from the logits, never from probabilities, so large logits give the exact finite loss; summed, then
 * divided by N (as PyTorch's mean), unless the sum overflows: 70 rows of float64 logits ±1e307 have the mean 2e307.
 */
export function crossEntropyIndices(z: FloatArray, labels: ArrayLike<number>, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) total += logSumExpRow(z, r * cols, cols) - z[r * cols + labels[r]];
  if (Number.isFinite(total)) return total / rows;
  // the sum overflowed (a row's term reaches 2·max|z|): the mean as Σ_r term_r / N, finite whenever it is a float
  let mean = 0;
  for (let r = 0; r < rows; r++) mean += (logSumExpRow(z, r * cols, cols) - z[r * cols + labels[r]]) / rows;
  return mean;
}

/** Mean cross-entropy against target rows y (one-hot or probabilities): (1/N) Σ_r Σ_j −y_{rj} log softmax(z_r)_j. */
export function crossEntropyTargets(z: FloatArray, y: FloatArray, rows: number, cols: number): number {
  const total = targetsSum(z, y, rows, cols, 1);
  // the sum overflowed: the mean as Σ terms / N instead (see crossEntropyIndices)
  return Number.isFinite(total) ? total / rows : targetsSum(z, y, rows, cols, rows);
}

/** Σ_r Σ_j −y_{rj} (z_{rj} − logsumexp(z_r)) / divisor, each term divided before it is added. */
function targetsSum(z: FloatArray, y: FloatArray, rows: number, cols: number, divisor: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const lse = logSumExpRow(z, o, cols);
    for (let j = 0; j < cols; j++) if (y[o + j] !== 0) total -= (y[o + j] * (z[o + j] - lse)) / divisor;
  }
  return total;
}

/** out (rows × cols) = one-hot rows for class indices. */
export function oneHot(labels: ArrayLike<number>, out: FloatArray, rows: number, cols: number): FloatArray {
  out.fill(0);
  for (let r = 0; r < rows; r++) out[r * cols + labels[r]] = 1;
  return out;
}

/**
 * out (rows × cols) = (softmax(z) − onehot(labels)) · scale, row by row: with scale = 1/N this is the chapter's
 * δ^n = (a^n − y)/N, computed from the logits in one pass.
 */
export function crossEntropyIndicesGrad(
  z: FloatArray, labels: ArrayLike<number>, rows: number, cols: number, scale: number, out: FloatArray,
): FloatArray {
  softmaxInto(z, [rows, cols], 1, out, false);
  for (let r = 0; r < rows; r++) out[r * cols + labels[r]] -= 1;
  for (let i = 0; i < rows * cols; i++) out[i] *= scale;
  return out;
}
